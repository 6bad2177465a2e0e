package org.ldmfiji.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java CLIP tokenizer against golden ids of OpenAI's reference tokenizer (clip/simple_tokenizer.py), made once by
 * models/tools/clip_tokenizer_golden.py from the reference's own vocabulary, converted to the vocab.json/merges.txt
 * layout Stable Diffusion checkpoints ship (test resources under org/ldmfiji/model/clip, with CLIP's licence).
 */
class ClipTokenizerTest {

	@TempDir
	static Path dir;
	static Path vocab, merges;
	static JsonObject golden;

	@BeforeAll
	static void unpack() throws IOException {
		vocab = gunzip("clip/vocab.json.gz", dir.resolve("vocab.json"));
		merges = gunzip("clip/merges.txt.gz", dir.resolve("merges.txt"));
		try (InputStream in = ClipTokenizerTest.class.getResourceAsStream("clip/clip_golden.json")) {
			golden = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
		}
	}

	private static Path gunzip(String resource, Path to) throws IOException {
		try (InputStream in = new GZIPInputStream(ClipTokenizerTest.class.getResourceAsStream(resource))) {
			Files.copy(in, to);
		}
		return to;
	}

	private static ClipTokenizer sd1() {
		return ClipTokenizer.read(vocab, merges, 77, 49406, 49407, 49407, true);
	}

	@Test
	void idsEqualTheReferenceTokenizers() {
		ClipTokenizer tok = sd1();
		int cases = 0, cut = 0;
		for (JsonElement e : golden.getAsJsonArray("cases")) {
			JsonObject c = e.getAsJsonObject();
			String prompt = c.get("prompt").getAsString();
			int[] expected = new int[c.getAsJsonArray("ids").size()];
			for (int i = 0; i < expected.length; i++) expected[i] = c.getAsJsonArray("ids").get(i).getAsInt();
			assertArrayEquals(expected, tok.ids(prompt), "prompt '" + prompt + "'");
			cases++;
			if (expected.length == 77) cut++;
		}
		assertTrue(cases >= 20 && cut >= 2, cases + " prompts, " + cut + " cut at 77");
	}

	@Test
	void paddedRowsHaveMaxTokensWithThePadToken() {
		long[] sd1 = sd1().padded("a photograph of an astronaut riding a horse");
		assertEquals(77, sd1.length);
		assertArrayEquals(new long[] {49406, 320, 8853, 539, 550, 18376, 6765, 320, 4558, 49407, 49407}, java.util.Arrays
			.copyOf(sd1, 11));
		assertEquals(49407, sd1[76]);
		// SD 2.x (open_clip) pads with 0
		long[] sd2 = ClipTokenizer.read(vocab, merges, 77, 49406, 49407, 0, true).padded("a horse");
		assertArrayEquals(new long[] {49406, 320, 4558, 49407, 0}, java.util.Arrays.copyOf(sd2, 5));
		assertEquals(0, sd2[76]);
		long[] longPrompt = sd1().padded("word ".repeat(200));
		assertEquals(49407, longPrompt[76], "cut prompts keep the end token");
	}

	@Test
	void htmlEntitiesAreUnescapedAsPythonsHtmlUnescape() {
		assertEquals("a & b < c > d \" e ' f \u263a \u20ac \ufffd", HtmlEntities.unescape(
			"a &amp; b &lt; c &gt; d &quot; e &#39; f &#x263A; &#128; &#0;"));
		assertEquals("&x &unknown; &", HtmlEntities.unescape("&ampx &unknown; &amp"));
		assertEquals("&", HtmlEntities.unescape(HtmlEntities.unescape("&amp;amp;")));
	}

	@Test
	void specialTokensOutsideTheVocabularyAreRefused() {
		BundleException e = assertThrows(BundleException.class, () -> ClipTokenizer.read(vocab, merges, 77, 49406,
			99999, 49407, true));
		assertTrue(e.getMessage().contains("end_token 99999 is not an id of"), e.getMessage());
	}

	@Test
	void malformedFilesAreRefusedWithOneLine(@TempDir Path tmp) throws IOException {
		Path nested = Files.writeString(tmp.resolve("vocab.json"), "{\"a\": {\"b\": 1}}");
		BundleException e = assertThrows(BundleException.class, () -> ClipTokenizer.read(nested, merges, 77, 0, 0, 0,
			true));
		assertTrue(e.getMessage().contains("to something other than a number"), e.getMessage());
		Path negative = Files.writeString(tmp.resolve("neg.json"), "{\"a\": -1}");
		e = assertThrows(BundleException.class, () -> ClipTokenizer.read(negative, merges, 77, 0, 0, 0, true));
		assertTrue(e.getMessage().contains("ids are integers from 0"), e.getMessage());
		Path badMerges = Files.writeString(tmp.resolve("merges.txt"), "#version: 0.2\ni n\nthreeparts x y\n");
		e = assertThrows(BundleException.class, () -> ClipTokenizer.read(vocab, badMerges, 77, 49406, 49407, 49407,
			true));
		assertTrue(e.getMessage().contains("line 3") && !e.getMessage().contains("\n"), e.getMessage());
	}
}
