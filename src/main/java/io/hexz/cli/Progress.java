package io.hexz.cli;

import java.util.function.LongConsumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr when hexz runs on a terminal, nothing otherwise (pipes and scripts
 * get clean output). Not thread-safe: updated from the thread that does the work.
 */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  static Progress start(String task, long totalBytes, boolean quiet) {
    if (quiet || System.console() == null) {
      return new Progress(null);
    }
    ProgressBar b = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(1, totalBytes >> 20))
        .setUnit(" MiB", 1).setStyle(ProgressBarStyle.ASCII).showSpeed()
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250).build();
    return new Progress(b);
  }

  LongConsumer listener() {
    return bar == null ? n -> {} : n -> bar.stepTo(n >> 20);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
