package io.hexz.cli;

import java.util.Locale;
import picocli.CommandLine;

/** Parses sizes such as {@code 4096}, {@code 64K}, {@code 1M}, {@code 2G}, {@code 1T}. Stateless. */
final class Sizes implements CommandLine.ITypeConverter<Long> {

  @Override
  public Long convert(String value) {
    return parse(value);
  }

  static long parse(String value) {
    String v = value.trim().toUpperCase(Locale.ROOT);
    if (v.endsWith("IB")) {
      v = v.substring(0, v.length() - 2);
    } else if (v.endsWith("B") && v.length() > 1 && !Character.isDigit(v.charAt(v.length() - 2))) {
      v = v.substring(0, v.length() - 1);
    }
    int shift = 0;
    if (!v.isEmpty()) {
      switch (v.charAt(v.length() - 1)) {
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default: shift = -1;
      }
    }
    String digits = shift < 0 ? v : v.substring(0, v.length() - 1);
    if (shift < 0) {
      shift = 0;
    }
    long n;
    try {
      n = Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a size (examples: 4096, 64K, 1M, 2G)");
    }
    if (n < 0 || (shift > 0 && n > (Long.MAX_VALUE >> shift))) {
      throw new CommandLine.TypeConversionException("'" + value + "' is out of range");
    }
    return n << shift;
  }
}
