package io.feitian.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import io.feitian.common.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * conf/*.conf are valid, set only what production changes, and mention every key of the daemons'
 * reference.conf files, so a key added there without an example here fails the build.
 */
class ConfExamplesIT {
  @BeforeAll
  static void built() {
    Dist.assertBuilt();
  }

  @ParameterizedTest
  @CsvSource({"fuxi-master, fuxi", "task-worker, task-worker", "shennong-master, shennong.master",
      "shennong-agent, shennong.agent", "shennong-inspector, shennong.inspector",
      "monitor-service, shennong.monitor", "analysis-service, shennong.analysis", "dayu-server, dayu.data-dir dayu.server dayu.database dayu.rollouts",
      "dayu-agent, dayu.agent"})
  void mentionsEveryKeyOfTheDaemon(String daemon, String section) throws IOException {
    Path conf = Dist.HOME.resolve("conf").resolve(daemon + ".conf");
    String text = Files.readString(conf);
    // Every reference.conf on the classpath (common, fuxi-master, task-worker), without the system
    // properties that ConfigFactory.defaultReference() would add.
    Config reference = ConfigFactory.parseResources(ConfExamplesIT.class.getClassLoader(), "reference.conf").resolve();
    // The sections the daemon reads (space-separated): objects, whose every key counts, or single keys.
    List<String> keys = new ArrayList<>();
    for (String root : ("feitian " + section).split(" ")) {
      if (reference.getValue(root) instanceof ConfigObject) {
        reference.getConfig(root).entrySet().forEach(e -> keys.add(root + "." + e.getKey()));
      } else {
        keys.add(root);
      }
    }
    TreeSet<String> missing = new TreeSet<>();
    for (String path : keys) {
      String leaf = path.substring(path.lastIndexOf('.') + 1).replace("\"", "");
      // Commented out ("# key = default") or set ("key = value").
      if (!Pattern.compile("(?m)^\\s*#?\\s*" + Pattern.quote(leaf) + "\\s*=").matcher(text).find()) {
        missing.add(path);
      }
    }
    assertTrue(missing.isEmpty(), "conf/" + daemon + ".conf does not mention " + missing);
  }

  @ParameterizedTest
  @CsvSource({
      "fuxi-master, fuxi.master.bind, 0.0.0.0",
      "task-worker, task-worker.bind, 0.0.0.0",
      "task-worker, task-worker.work-dir, /var/lib/feitian/task-worker",
      "shennong-master, shennong.master.bind, 0.0.0.0",
      "shennong-agent, shennong.agent.bind, 127.0.0.1",
      "shennong-inspector, shennong.inspector.interval, 1s",
      "monitor-service, shennong.monitor.data-dir, /var/lib/feitian/monitor-service",
      "analysis-service, shennong.analysis.data-dir, /var/lib/feitian/analysis-service",
      "dayu-server, dayu.server.bind, 0.0.0.0"})
  void loadsWithTheProductionValues(String daemon, String key, String expected) {
    Config config = ConfigLoader.load(Dist.HOME.resolve("conf").resolve(daemon + ".conf"));
    assertEquals(expected, config.getString(key));
  }
}
