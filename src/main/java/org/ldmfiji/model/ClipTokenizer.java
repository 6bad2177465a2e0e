package org.ldmfiji.model;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer (Radford et al. 2021, sec. 2.4; the BPE of Sennrich et al. 2016 on the UTF-8
 * bytes of the text, as GPT-2), reading the {@code vocab.json} (token → id) and {@code merges.txt} (merge pairs by
 * rank) that Stable Diffusion checkpoints and diffusers folders ship in {@code tokenizer/}.
 * <p>
 * A prompt is cleaned (NFC, HTML entities unescaped twice, white space collapsed, lower-cased), split by CLIP's
 * pre-tokenizer pattern (the special tokens, English contractions, runs of letters, single digits, runs of other
 * non-space characters), each piece's UTF-8 bytes mapped to printable characters, the last marked with
 * {@code </w>}, and the pieces merged pair by pair, lowest rank first. The ids are framed by the start and end
 * tokens, cut at {@code max_tokens} with the end token kept, and padded with the pad token.
 * <p>
 * Checked against OpenAI's reference tokenizer on a fixed list of prompts ({@code ClipTokenizerTest}). The
 * reference first runs {@code ftfy.fix_text}, which repairs mojibake and replaces curly quotes, ligatures and
 * full-width letters; of that only the NFC normalisation is done here. HTML's numeric references are unescaped in
 * full, named ones for the common entities ({@link HtmlEntities}).
 */
public final class ClipTokenizer {

	/** CLIP's special tokens, matched in the text as the reference does. */
	static final String START_TEXT = "<|startoftext|>", END_TEXT = "<|endoftext|>";
	private static final String END_OF_WORD = "</w>";

	/** A real vocabulary has 49 408 tokens and 48 894 merges (vocab.json about 1 MB). */
	static final int MAX_ENTRIES = 1 << 20;
	static final long MAX_FILE_BYTES = 64L << 20;
	static final int MAX_ID = (1 << 24) - 1;
	private static final int MAX_TOKEN_CHARS = 1024;
	private static final int CACHE_LIMIT = 10_000;

	/**
	 * CLIP's pre-tokenizer: the special tokens, contractions, letters, single digits, other non-space runs; case
	 * ignored (the reference's {@code re.IGNORECASE}); \s, \p{L}, \p{N} in Unicode's sense.
	 */
	private static final Pattern PIECES = Pattern.compile("<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d"
		+ "|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}]+", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE
			| Pattern.UNICODE_CHARACTER_CLASS);
	private static final Pattern SPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

	/** Byte b to the printable character that stands for it (GPT-2's bytes_to_unicode). */
	private static final char[] BYTE_CHARS = byteChars();

	private final Map<String, Integer> vocab;
	private final Map<String, Integer> ranks;
	private final int maxTokens, start, end, pad;
	private final boolean lowercase;
	private final Map<String, int[]> cache = new HashMap<>();

	private ClipTokenizer(Map<String, Integer> vocab, Map<String, Integer> ranks, int maxTokens, int start, int end,
		int pad, boolean lowercase)
	{
		this.vocab = vocab;
		this.ranks = ranks;
		this.maxTokens = maxTokens;
		this.start = start;
		this.end = end;
		this.pad = pad;
		this.lowercase = lowercase;
	}

	/**
	 * Reads the vocabulary and merges of a text context; start, end and pad tokens must be ids of the vocabulary.
	 *
	 * @throws BundleException naming the file and the fix when a file is unreadable, malformed or too large
	 */
	public static ClipTokenizer read(Path vocabJson, Path mergesTxt, int maxTokens, int start, int end, int pad,
		boolean lowercase)
	{
		Map<String, Integer> vocab = readVocab(vocabJson);
		Map<String, Integer> ranks = readMerges(mergesTxt);
		int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
		java.util.Set<Integer> ids = new java.util.HashSet<>(vocab.values());
		String[] names = {"start_token", "end_token", "pad_token"};
		int[] values = {start, end, pad};
		for (int i = 0; i < 3; i++) {
			// open_clip pads with 0, which is the id of "!"; every special id must at least be a token of the file
			if (!ids.contains(values[i])) throw new BundleException("the text context's " + names[i] + " " + values[i]
				+ " is not an id of " + vocabJson + " (ids 0 to " + (size - 1) + "): fix model.json or copy the "
				+ "checkpoint's tokenizer files again");
		}
		if (maxTokens < 2) throw new IllegalArgumentException("max_tokens must be at least 2, got " + maxTokens);
		return new ClipTokenizer(vocab, ranks, maxTokens, start, end, pad, lowercase);
	}

	public int maxTokens() {
		return maxTokens;
	}

	/** The ids of a prompt with start and end tokens, cut at max_tokens (end token kept), not padded. */
	public int[] ids(String prompt) {
		List<Integer> out = new ArrayList<>();
		out.add(start);
		Matcher m = PIECES.matcher(clean(prompt));
		while (m.find() && out.size() < maxTokens) {
			for (int id : bpe(m.group())) out.add(id);
		}
		if (out.size() > maxTokens - 1) out = out.subList(0, maxTokens - 1);
		out.add(end);
		return out.stream().mapToInt(Integer::intValue).toArray();
	}

	/** The ids of a prompt padded with the pad token to max_tokens: one row of the text encoder's input. */
	public long[] padded(String prompt) {
		int[] ids = ids(prompt);
		long[] row = new long[maxTokens];
		Arrays.fill(row, pad);
		for (int i = 0; i < ids.length; i++) row[i] = ids[i];
		return row;
	}

	/**
	 * The reference's cleanup: HTML entities unescaped twice, white space runs to one space, ends trimmed, lower
	 * case; NFC first, as ftfy normalises.
	 */
	String clean(String text) {
		String s = Normalizer.normalize(text, Normalizer.Form.NFC);
		s = HtmlEntities.unescape(HtmlEntities.unescape(s));
		s = SPACE.matcher(s).replaceAll(" ").trim();
		return lowercase ? s.toLowerCase(Locale.ROOT) : s;
	}

	/** The ids of one pre-tokenized piece: its bytes as characters, merged by rank (Sennrich et al. 2016, alg. 1). */
	private synchronized int[] bpe(String piece) {
		int[] known = cache.get(piece);
		if (known != null) return known;
		List<String> word = new ArrayList<>();
		if (piece.equals(START_TEXT) || piece.equals(END_TEXT)) word.add(piece);
		else {
			byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
			for (int i = 0; i < bytes.length; i++)
				word.add(BYTE_CHARS[bytes[i] & 0xff] + (i == bytes.length - 1 ? END_OF_WORD : ""));
		}
		while (word.size() > 1) {
			int best = Integer.MAX_VALUE, at = -1;
			for (int i = 0; i + 1 < word.size(); i++) {
				Integer r = ranks.get(word.get(i) + ' ' + word.get(i + 1));
				if (r != null && r < best) {
					best = r;
					at = i;
				}
			}
			if (at < 0) break;
			String first = word.get(at), second = word.get(at + 1);
			List<String> merged = new ArrayList<>(word.size());
			for (int i = 0; i < word.size(); i++) {
				if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
					merged.add(first + second);
					i++;
				}
				else merged.add(word.get(i));
			}
			word = merged;
		}
		int[] ids = new int[word.size()];
		for (int i = 0; i < ids.length; i++) {
			Integer id = vocab.get(word.get(i));
			if (id == null) throw new BundleException("the tokenizer's merges make '" + JsonFields.quote(word.get(i), ' ')
				+ "', which vocab.json lacks: vocab.json and merges.txt are from different tokenizers; copy both from "
				+ "the same checkpoint");
			ids[i] = id;
		}
		if (cache.size() >= CACHE_LIMIT) cache.clear();
		cache.put(piece, ids);
		return ids;
	}

	/** GPT-2's byte-to-unicode table: printable Latin-1 bytes stand for themselves, the rest for 256, 257, ... */
	private static char[] byteChars() {
		char[] table = new char[256];
		int next = 256;
		for (int b = 0; b < 256; b++) {
			boolean printable = b >= '!' && b <= '~' || b >= 0xa1 && b <= 0xac || b >= 0xae && b <= 0xff;
			table[b] = (char) (printable ? b : next++);
		}
		return table;
	}

	/** vocab.json: one flat object of token → id, read as a stream (no nesting, bounded). */
	private static Map<String, Integer> readVocab(Path file) {
		Map<String, Integer> vocab = new HashMap<>();
		try (JsonReader r = new JsonReader(reader(file))) {
			r.setLenient(false);
			if (r.peek() != JsonToken.BEGIN_OBJECT) throw malformed(file, "is not a JSON object of token -> id");
			r.beginObject();
			while (r.hasNext()) {
				String token = r.nextName();
				if (r.peek() != JsonToken.NUMBER) throw malformed(file, "maps '" + JsonFields.quote(token, ' ')
					+ "' to something other than a number");
				double v = r.nextDouble();
				if (v != Math.rint(v) || v < 0 || v > MAX_ID) throw malformed(file, "gives '" + JsonFields.quote(token,
					' ') + "' the id " + v + "; ids are integers from 0 to " + MAX_ID);
				if (token.length() > MAX_TOKEN_CHARS) throw malformed(file, "has a token of " + token.length()
					+ " characters (at most " + MAX_TOKEN_CHARS + ")");
				if (vocab.put(token, (int) v) != null) throw malformed(file, "lists '" + JsonFields.quote(token, ' ')
					+ "' twice");
				if (vocab.size() > MAX_ENTRIES) throw malformed(file, "has more than " + MAX_ENTRIES + " tokens");
			}
			r.endObject();
			if (r.peek() != JsonToken.END_DOCUMENT) throw malformed(file, "has text after its object");
		}
		catch (IOException | IllegalStateException | NumberFormatException e) {
			throw malformed(file, "is not a JSON object of token -> id (" + JsonFields.oneLine(e.getMessage()) + ")");
		}
		if (vocab.isEmpty()) throw malformed(file, "lists no tokens");
		return vocab;
	}

	/** merges.txt: an optional "#version" line, then "first second" per line, by rank. */
	private static Map<String, Integer> readMerges(Path file) {
		Map<String, Integer> ranks = new HashMap<>();
		try (BufferedReader r = new BufferedReader(reader(file))) {
			String line;
			int number = 0;
			while ((line = r.readLine()) != null) {
				number++;
				if (number == 1 && line.startsWith("#version")) continue;
				if (line.isEmpty()) continue;
				int space = line.indexOf(' ');
				if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0
					|| line.length() > 2 * MAX_TOKEN_CHARS)
					throw malformed(file, "line " + number + " is '" + JsonFields.quote(line, ' ')
						+ "', not two tokens separated by one space");
				ranks.putIfAbsent(line, ranks.size());
				if (ranks.size() > MAX_ENTRIES) throw malformed(file, "has more than " + MAX_ENTRIES + " merges");
			}
		}
		catch (IOException e) {
			throw malformed(file, "cannot be read as UTF-8 text (" + JsonFields.oneLine(e.toString()) + ")");
		}
		return ranks;
	}

	private static Reader reader(Path file) throws IOException {
		long size = Files.size(file);
		if (size > MAX_FILE_BYTES) throw malformed(file, "has " + size + " bytes, more than a tokenizer file's "
			+ MAX_FILE_BYTES);
		InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
		return new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT));
	}

	private static BundleException malformed(Path file, String problem) {
		return new BundleException(JsonFields.oneLine("tokenizer file " + file + " " + problem
			+ ": copy the tokenizer files of the checkpoint again (or re-convert it with models/ldm_models)"));
	}
}
