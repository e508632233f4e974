package io.feitian.common.lifecycle;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd (units with Type=notify and NotifyAccess=all) when the daemon
 * is ready and when it stops, through the systemd-notify tool. Does nothing
 * outside systemd.
 */
final class SystemdNotifier {
  private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);

  private SystemdNotifier() {}

  static void ready(String status) {
    notify("--ready", "--status=" + status);
  }

  static void stopping() {
    notify("STOPPING=1");
  }

  private static void notify(String... args) {
    if (System.getenv("NOTIFY_SOCKET") == null) {
      return;
    }
    String[] cmd = new String[args.length + 2];
    cmd[0] = "systemd-notify";
    cmd[1] = "--pid=" + ProcessHandle.current().pid();
    System.arraycopy(args, 0, cmd, 2, args.length);
    try {
      Process p = new ProcessBuilder(cmd).inheritIO().start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      log.warn("systemd-notify failed: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
