package io.feitian.job.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.job.api.Record;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordFormatTest {

  static byte[] write(List<Record> records) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (RecordWriter w = new RecordWriter(bytes)) {
      for (Record r : records) {
        w.write(r.key(), r.value());
      }
    }
    return bytes.toByteArray();
  }

  static List<Record> readAll(InputStream in) throws IOException {
    List<Record> out = new ArrayList<>();
    try (RecordReader r = new RecordReader(in)) {
      for (Record rec = r.next(); rec != null; rec = r.next()) {
        out.add(rec);
      }
    }
    return out;
  }

  @Test
  void aRecordIsVarintLengthAndUtf8BytesOfKeyThenValue() throws IOException {
    assertThat(write(List.of(new Record("a", "bc")))).containsExactly(1, 'a', 2, 'b', 'c');
    byte[] twoHundred = write(List.of(new Record("k".repeat(200), "")));
    assertThat(Arrays.copyOf(twoHundred, 3)).containsExactly(0xc8, 0x01, 'k');
    assertThat(twoHundred).hasSize(2 + 200 + 1).endsWith(0);
    assertThat(write(List.of())).isEmpty();
  }

  @Test
  void recordsComeBackAsWritten() throws IOException {
    List<Record> records = List.of(
        new Record("", ""),
        new Record("key", "value"),
        new Record("日本語", "emoji \uD83D\uDE00 and tabs\tand\nnewlines"),
        new Record("big", "v".repeat(300_000)));
    byte[] bytes = write(records);

    assertThat(readAll(new ByteArrayInputStream(bytes))).containsExactlyElementsOf(records);
  }

  @Test
  void theReaderCountsTheBytesOfTheRecordsItRead() throws IOException {
    byte[] bytes = write(List.of(new Record("a", "bc"), new Record("de", "")));
    try (RecordReader r = new RecordReader(new ByteArrayInputStream(bytes))) {
      r.next();
      assertThat(r.offset()).isEqualTo(5);
      r.next();
      assertThat(r.offset()).isEqualTo(9);
      assertThat(r.next()).isNull();
    }
  }

  @Test
  void aFileCutAnywhereInsideARecordIsAnErrorNamingTheRecordsOffset() throws IOException {
    byte[] bytes = write(List.of(new Record("first", "one"), new Record("k".repeat(200), "second")));
    int secondStart = 1 + 5 + 1 + 3;
    for (int cut = secondStart + 1; cut < bytes.length; cut++) {
      byte[] truncated = Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> readAll(new ByteArrayInputStream(truncated)))
          .isInstanceOf(EOFException.class)
          .hasMessageContaining("truncated record at byte offset " + secondStart)
          .hasMessageContaining("ends at byte " + cut);
    }
    assertThat(readAll(new ByteArrayInputStream(Arrays.copyOf(bytes, secondStart)))).hasSize(1);
  }

  @Test
  void impossibleLengthsAreCorruptionNotAllocations() {
    byte[] huge = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f};
    assertThatThrownBy(() -> readAll(new ByteArrayInputStream(huge)))
        .hasMessageContaining("corrupt record at byte offset 0: key length 268435455 is over the limit");
    byte[] endless = {0, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1};
    assertThatThrownBy(() -> readAll(new ByteArrayInputStream(endless)))
        .hasMessageContaining("value length is longer than 5 bytes");
  }

  @Test
  void keysOverTheLimitAreRefusedWhenWritten() {
    RecordWriter w = new RecordWriter(new ByteArrayOutputStream());
    String tooBig = "x".repeat(RecordWriter.MAX_FIELD_BYTES + 1);
    assertThatThrownBy(() -> w.write(tooBig, "")).hasMessageStartingWith("key is " + tooBig.length() + " bytes");
  }
}
