package org.ldmfiji.model;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML character references replaced by the characters they stand for, as CLIP's text cleanup does (HTML5
 * "character reference state" rules, as Python's {@code html.unescape}): numeric references in full (NUL, surrogates
 * and values past U+10FFFF to U+FFFD, 0x80–0x9F as Windows-1252, other control and non-characters removed); named
 * references for the common entities below, with and without the final ';' for those HTML allows without it. Other
 * names are left as typed.
 */
final class HtmlEntities {

	private HtmlEntities() {}

	private static final Pattern REFERENCE = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

	/** Named references that HTML also accepts without ';' (a subset of HTML5's legacy names). */
	private static final Map<String, String> LEGACY = Map.ofEntries(Map.entry("amp", "&"), Map.entry("AMP", "&"),
		Map.entry("lt", "<"), Map.entry("LT", "<"), Map.entry("gt", ">"), Map.entry("GT", ">"), Map.entry("quot", "\""),
		Map.entry("QUOT", "\""), Map.entry("nbsp", "\u00a0"), Map.entry("copy", "\u00a9"), Map.entry("COPY", "\u00a9"),
		Map.entry("reg", "\u00ae"), Map.entry("REG", "\u00ae"), Map.entry("deg", "\u00b0"), Map.entry("times", "\u00d7"),
		Map.entry("divide", "\u00f7"), Map.entry("middot", "\u00b7"), Map.entry("laquo", "\u00ab"),
		Map.entry("raquo", "\u00bb"), Map.entry("pound", "\u00a3"), Map.entry("yen", "\u00a5"), Map.entry("cent", "\u00a2"),
		Map.entry("sect", "\u00a7"), Map.entry("para", "\u00b6"), Map.entry("micro", "\u00b5"),
		Map.entry("plusmn", "\u00b1"), Map.entry("frac12", "\u00bd"), Map.entry("frac14", "\u00bc"),
		Map.entry("frac34", "\u00be"), Map.entry("eacute", "\u00e9"), Map.entry("egrave", "\u00e8"),
		Map.entry("aacute", "\u00e1"), Map.entry("agrave", "\u00e0"), Map.entry("uuml", "\u00fc"),
		Map.entry("ouml", "\u00f6"), Map.entry("auml", "\u00e4"), Map.entry("szlig", "\u00df"),
		Map.entry("ccedil", "\u00e7"), Map.entry("ntilde", "\u00f1"));

	/** Named references that need the final ';'. */
	private static final Map<String, String> NAMED = Map.ofEntries(Map.entry("apos", "'"), Map.entry("hellip", "\u2026"),
		Map.entry("mdash", "\u2014"), Map.entry("ndash", "\u2013"), Map.entry("lsquo", "\u2018"),
		Map.entry("rsquo", "\u2019"), Map.entry("ldquo", "\u201c"), Map.entry("rdquo", "\u201d"),
		Map.entry("euro", "\u20ac"), Map.entry("trade", "\u2122"), Map.entry("bull", "\u2022"),
		Map.entry("larr", "\u2190"), Map.entry("rarr", "\u2192"), Map.entry("alpha", "\u03b1"),
		Map.entry("beta", "\u03b2"), Map.entry("gamma", "\u03b3"), Map.entry("mu", "\u03bc"), Map.entry("pi", "\u03c0"),
		Map.entry("sigma", "\u03c3"), Map.entry("lambda", "\u03bb"));

	/** The text with its character references replaced. */
	static String unescape(String s) {
		if (s.indexOf('&') < 0) return s;
		Matcher m = REFERENCE.matcher(s);
		StringBuilder out = new StringBuilder(s.length());
		while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
		m.appendTail(out);
		return out.toString();
	}

	private static String replace(String ref) {
		if (ref.charAt(0) == '#') return numeric(ref);
		boolean semicolon = ref.endsWith(";");
		String name = semicolon ? ref.substring(0, ref.length() - 1) : ref;
		if (semicolon) {
			String c = LEGACY.containsKey(name) ? LEGACY.get(name) : NAMED.get(name);
			if (c != null) return c;
		}
		// the longest legacy name the reference starts with, the rest kept
		for (int n = Math.min(ref.length(), 6); n > 1; n--) {
			String c = LEGACY.get(ref.substring(0, n));
			if (c != null) return c + ref.substring(n);
		}
		return "&" + ref;
	}

	private static String numeric(String ref) {
		String digits = ref.endsWith(";") ? ref.substring(0, ref.length() - 1) : ref;
		boolean hex = digits.length() > 1 && (digits.charAt(1) == 'x' || digits.charAt(1) == 'X');
		String number = digits.substring(hex ? 2 : 1).replaceFirst("^0+(?=.)", "");
		int cp;
		if (number.length() > 8) cp = Integer.MAX_VALUE; // past U+10FFFF in either base
		else cp = (int) Math.min(Long.parseLong(number, hex ? 16 : 10), Integer.MAX_VALUE);
		if (cp == 0 || cp >= 0xd800 && cp <= 0xdfff || cp > 0x10ffff) return "\ufffd";
		if (cp == 0x0d) return "\r";
		if (cp >= 0x80 && cp <= 0x9f) {
			String w = new String(new byte[] {(byte) cp}, java.nio.charset.Charset.forName("windows-1252"));
			return w.equals("\ufffd") ? String.valueOf((char) cp) : w;
		}
		if (cp >= 0x1 && cp <= 0x8 || cp == 0xb || cp >= 0xe && cp <= 0x1f || cp == 0x7f || cp >= 0xfdd0 && cp <= 0xfdef
			|| (cp & 0xfffe) == 0xfffe) return "";
		return new String(Character.toChars(cp));
	}
}
