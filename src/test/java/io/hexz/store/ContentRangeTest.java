package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Content-Range values as servers send them: the ones hexz can use, and the ones it refuses by name. */
class ContentRangeTest {
  private static final String NAME = "http://host/obj";

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @CsvSource(delimiter = '|', value = {
      // value                           | first | last     | total
      "bytes 0-9/10                      | 0     | 9        | 10",
      "bytes 0-0/1                       | 0     | 0        | 1",
      "BYTES 5-9/100                     | 5     | 9        | 100",
      "bytes   100-199/*                 | 100   | 199      | -1",
      "'  bytes 0-262143/3157793  '      | 0     | 262143   | 3157793",
      "bytes 9223372036854775806-9223372036854775806/9223372036854775807 "
          + "| 9223372036854775806 | 9223372036854775806 | 9223372036854775807",
  })
  void usableValuesAreParsed(String value, long first, long last, long total) throws RemoteException {
    ContentRange r = ContentRange.parse(NAME, value);
    assertEquals(new ContentRange(first, last, total), r);
    assertEquals(total != ContentRange.UNKNOWN_TOTAL, r.totalKnown());
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @CsvSource(delimiter = '|', value = {
      // value                          | message
      "''                               | server answered 206 with no Content-Range (wrong Content-Range)",
      "bytes 0-9                        | an unusable Content-Range 'bytes 0-9'",
      "bytes=0-9/10                     | an unusable Content-Range 'bytes=0-9/10'",
      "bytes -1-9/10                    | an unusable Content-Range",
      "bytes */10                       | an unusable Content-Range 'bytes */10'",
      "items 0-9/10                     | an unusable Content-Range",
      "bytes 0-9/10, bytes 20-29/100    | an unusable Content-Range",
      "bytes 9-0/10                     | server sent an impossible Content-Range 'bytes 9-0/10' (wrong Content-Range)",
      "bytes 0-10/10                    | an impossible Content-Range",
      "bytes 5-5/5                      | an impossible Content-Range",
      "bytes 0-99999999999999999999/*   | server sent an unusable Content-Range 'bytes 0-99999999999999999999/*'",
      "bytes 0-1/99999999999999999999   | server sent an unusable Content-Range",
  })
  void otherValuesAreRefusedAsAWrongContentRange(String value, String message) {
    RemoteException e = assertThrows(RemoteException.class, () -> ContentRange.parse(NAME, value));
    assertEquals(NAME, e.getFile());
    assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
    assertTrue(e.getMessage().endsWith("(wrong Content-Range)"), e.getMessage());
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @CsvSource(delimiter = '|', value = {
      "bytes */0      | true",
      "BYTES  */0     | true",
      "bytes */00     | true",
      "bytes */10     | false",
      "bytes */99999999999999999999 | false",
      "''             | false",
      "bytes 0-0/0    | false",
      "' bytes */0'   | false",
  })
  void a416ForAnEmptyObjectIsRecognized(String value, boolean empty) {
    assertEquals(empty, ContentRange.unsatisfiedForEmpty(value));
  }
}
