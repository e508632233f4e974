package io.feitian.examples.sort;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Writes the sort example's input: {@code <dir>/records-NNN.txt} files of
 * {@code key<TAB>payload} lines, the key 10 and the payload 20 to 40
 * characters of {@code [A-Za-z0-9]}. The keys are ASCII so that the sort's
 * shell scripts ({@code LC_ALL=C sort}, byte order) and the Java side
 * ({@link String#compareTo}, UTF-16 order) agree on the order.
 *
 * <p>The bytes written depend only on the arguments (one {@link Random}
 * seeded with {@code seed}), so a run can be repeated. Existing
 * {@code records-NNN.txt} files in the directory are deleted first, so none
 * is left over from a larger earlier run.
 *
 * <p>Usage: {@code java -cp feitian-examples.jar io.feitian.examples.sort.GenerateRecords
 * <dir> <files> <recordsPerFile> <seed>}, e.g. {@code examples/data/records 4 100000 1}.
 */
public final class GenerateRecords {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final String FILE_PATTERN = "records-\\d{3}\\.txt";
  private static final int KEY_LENGTH = 10;
  private static final int MIN_PAYLOAD = 20;
  private static final int MAX_PAYLOAD = 40;

  private GenerateRecords() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: GenerateRecords <dir> <files> <recordsPerFile> <seed>");
      System.exit(2);
    }
    List<Path> written = generate(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
        Long.parseLong(args[3]));
    System.out.println("wrote " + written.size() + " files to " + args[0]);
  }

  /**
   * Writes the files (creating the directory) and returns their paths in order.
   *
   * @param files 1 to 1000 (the name has three digits)
   */
  public static List<Path> generate(Path dir, int files, int recordsPerFile, long seed) throws IOException {
    if (files < 1 || files > 1000) {
      throw new IllegalArgumentException("files must be between 1 and 1000, got " + files);
    }
    if (recordsPerFile < 0) {
      throw new IllegalArgumentException("recordsPerFile must be >= 0, got " + recordsPerFile);
    }
    Files.createDirectories(dir);
    deleteOldFiles(dir);
    Random random = new Random(seed);
    List<Path> written = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      Path file = dir.resolve(String.format("records-%03d.txt", f));
      try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
        for (int r = 0; r < recordsPerFile; r++) {
          out.write(chars(random, KEY_LENGTH));
          out.write('\t');
          out.write(chars(random, MIN_PAYLOAD + random.nextInt(MAX_PAYLOAD - MIN_PAYLOAD + 1)));
          out.write('\n');
        }
      }
      written.add(file);
    }
    return written;
  }

  private static void deleteOldFiles(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path old : entries.filter(p -> p.getFileName().toString().matches(FILE_PATTERN)).toList()) {
        Files.delete(old);
      }
    }
  }

  private static String chars(Random random, int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
    }
    return new String(chars);
  }
}
