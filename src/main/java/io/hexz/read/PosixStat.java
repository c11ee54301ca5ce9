package io.hexz.read;

import io.hexz.format.TreeManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

/**
 * What {@code lstat(2)} says of a file on the host, typed: the fields of the JDK's
 * {@code "unix:*"} attribute map (whose values are Objects to cast) that directory snapshots
 * keep or need. Links are not followed. Immutable.
 *
 * @param mode file type and permission bits ({@link TreeManifest#S_IFMT} and 07777)
 * @param uid owner
 * @param gid group
 * @param nlink hard links to the file
 * @param dev device the file is on
 * @param ino inode number on that device
 * @param size bytes (a symlink: its target's length)
 * @param rdev the device a character or block device file stands for
 * @param mtime last modification
 */
public record PosixStat(int mode, int uid, int gid, int nlink, long dev, long ino, long size, long rdev,
    Instant mtime) {

  /** Reads the file's status without following a symlink. */
  public static PosixStat of(Path p) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
    return new PosixStat((Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"),
        (Integer) a.get("nlink"), (Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
        (Long) a.get("rdev"), ((FileTime) a.get("lastModifiedTime")).toInstant());
  }

  /** The file type bits of {@link #mode} ({@code TreeManifest.S_IFREG}, {@code S_IFDIR}, ...). */
  public int type() {
    return mode & TreeManifest.S_IFMT;
  }

  /** "dev:ino": the same for every hard link to one file. */
  public String fileKey() {
    return dev + ":" + ino;
  }
}
