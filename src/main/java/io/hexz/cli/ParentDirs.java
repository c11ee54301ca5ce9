package io.hexz.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --parent-dir} option shared by commands that open snapshots (a picocli mixin). */
final class ParentDirs {
  @Option(names = "--parent-dir", paramLabel = "DIR",
      description = "where to look for parents of thin snapshots, after their path hint (repeatable)")
  List<Path> dirs = new ArrayList<>();

  List<Path> get() {
    return dirs.stream().map(Path::toAbsolutePath).toList();
  }
}
