package io.feitian.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.job.api.Record;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WordsTest {
  @Test
  void wordsAreLowerCasedRunsOfLettersDigitsAndApostrophes() {
    assertThat(Words.split("Don't STOP: well-known GPL-3, 42 times; Café ÉTÉ"))
        .containsExactly("don't", "stop", "well", "known", "gpl", "3", "42", "times", "café", "été");
  }

  @Test
  void quotesAroundAWordAreNotPartOfIt() {
    assertThat(Words.split("'quoted' ''twice'' o''clock ' '' rock'n'roll"))
        .containsExactly("quoted", "twice", "o''clock", "rock'n'roll");
  }

  @Test
  void noWordsInPunctuationOrNothing() {
    assertThat(Words.split("")).isEmpty();
    assertThat(Words.split(" \t-- ... ''' ")).isEmpty();
  }

  @Test
  void countsWordsOfTheRecordsLines() {
    // A record's line is key<TAB>value: both sides are text.
    List<Record> records = List.of(new Record("", "the cat"), new Record("The", "dog"), new Record("cat", ""));
    assertThat(Words.count(records)).isEqualTo(Map.of("the", 2L, "cat", 2L, "dog", 1L));
  }
}
