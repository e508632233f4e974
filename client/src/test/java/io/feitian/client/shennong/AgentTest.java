package io.feitian.client.shennong;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A writer test with a fresh {@link FakeAgent} for each test. */
abstract class AgentTest {
  /** How long a test waits for a condition before it fails; conditions are polled, never slept for. */
  static final Duration WAIT = Duration.ofSeconds(20);
  FakeAgent agent;

  @BeforeEach
  void startAgent() {
    agent = FakeAgent.start();
  }

  @AfterEach
  void stopAgent() {
    agent.close();
  }
}
