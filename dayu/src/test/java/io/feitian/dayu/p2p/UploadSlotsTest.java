package io.feitian.dayu.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class UploadSlotsTest {
  @Test
  void boundedAndReleasedOnce() {
    UploadSlots slots = new UploadSlots(2);
    Optional<UploadSlots.Slot> a = slots.tryAcquire();
    Optional<UploadSlots.Slot> b = slots.tryAcquire();
    assertThat(a).isPresent();
    assertThat(b).isPresent();
    assertThat(slots.tryAcquire()).as("a third upload is busy").isEmpty();
    a.get().close();
    a.get().close();
    assertThat(slots.inUse()).isEqualTo(1);
    assertThat(slots.tryAcquire()).isPresent();
    assertThat(slots.tryAcquire()).isEmpty();
    assertThatThrownBy(() -> new UploadSlots(0)).hasMessageContaining("at least 1");
  }
}
