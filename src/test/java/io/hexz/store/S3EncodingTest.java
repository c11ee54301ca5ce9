package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Which Content-Encoding values mean the stored bytes differ from what a GET returns. */
class S3EncodingTest {
  @Test
  void uploadFramingIsNotAnEncodingOfTheStoredBytes() {
    assertEquals("", S3Fetcher.effectiveEncoding(null));
    assertEquals("", S3Fetcher.effectiveEncoding(""));
    assertEquals("", S3Fetcher.effectiveEncoding("identity"));
    assertEquals("", S3Fetcher.effectiveEncoding("aws-chunked"));
    assertEquals("", S3Fetcher.effectiveEncoding("AWS-Chunked, identity"));
    assertEquals("gzip", S3Fetcher.effectiveEncoding("aws-chunked,gzip"));
    assertEquals("gzip, br", S3Fetcher.effectiveEncoding("gzip, br"));
  }
}
