package io.feitian.fuxi.master.state;

import io.feitian.proto.fuxi.v1.AppInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which ended applications to forget: those ended longer than the
 * retention ago, and all but the {@code keep} most recently ended. Pure.
 */
public final class EndedApps {
  private EndedApps() {}

  public static List<String> toForget(List<AppInfo> ended, long nowMillis, int keep, Duration retention) {
    List<AppInfo> newestFirst = new ArrayList<>(ended);
    newestFirst.sort(Comparator.comparingLong(AppInfo::getEndedAtMs).reversed().thenComparing(AppInfo::getAppId));
    List<String> forget = new ArrayList<>();
    for (int i = 0; i < newestFirst.size(); i++) {
      AppInfo a = newestFirst.get(i);
      if (i >= keep || nowMillis - a.getEndedAtMs() > retention.toMillis()) {
        forget.add(a.getAppId());
      }
    }
    return forget;
  }
}
