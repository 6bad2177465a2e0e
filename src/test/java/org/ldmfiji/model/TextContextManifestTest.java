package org.ldmfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Text contexts in model.json (TEXT_CONTEXT schema: CLIP tokenizer files with SHA-256, max_tokens, special tokens,
 * null_prompt): read from the tiny text bundle, and refused with a one-line message naming the field or file when
 * tampered with.
 */
class TextContextManifestTest {

	@TempDir
	Path tmp;
	private Path dir;
	private String json;

	@BeforeEach
	void bundle() throws IOException {
		dir = TextBundles.tiny(tmp.resolve("text"));
		json = Files.readString(dir.resolve(Manifest.FILE_NAME));
	}

	@Test
	void readsTheTextContext() {
		Manifest m = Manifest.read(dir);
		Manifest.ContextSpec c = m.denoiser("inpaint").context;
		assertTrue(c.takesText());
		assertEquals("tokenizer/vocab.json", c.text.vocab.file);
		assertEquals("tokenizer/merges.txt", c.text.merges.file);
		assertEquals(77, c.text.maxTokens);
		assertEquals(49406, c.text.startToken);
		assertEquals(49407, c.text.endToken);
		assertEquals(49407, c.text.padToken);
		assertEquals("", c.nullPrompt);
		assertEquals(77, c.tokens);
		assertEquals(32, c.dim);
		assertTrue(c.labels.isEmpty());
		assertNull(c.nullLabel);
		ModelBundle.verifyFiles(m);
	}

	@Test
	void theContextEncoderTakesTokenIdsOfPrompts() {
		try (ModelBundle bundle = ModelBundle.open(dir, Device.cpu()); NDManager manager = NDManager.newBaseManager()) {
			NDArray a = bundle.context("superres", new String[] {"a cat", "a dog"}, manager);
			assertEquals(new Shape(2, 77, 32), a.getShape());
			NDArray b = bundle.context("superres", new String[] {"A  CAT"}, manager);
			NDArray first = a.get(0);
			assertTrue(first.contentEquals(b.get(0)), "the same prompt after cleanup gives the same context");
			assertFalse(a.get(0).contentEquals(a.get(1)), "different prompts give different contexts");
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bundle.context("superres",
				new int[] {0}, manager));
			assertTrue(e.getMessage().contains("text prompt, not a label"), e.getMessage());
		}
	}

	private String error(String from, String to) throws IOException {
		assertTrue(json.contains(from), from);
		Files.writeString(dir.resolve(Manifest.FILE_NAME), json.replace(from, to));
		String msg = assertThrows(BundleException.class, () -> ModelBundle.verifyFiles(Manifest.read(dir))).getMessage();
		assertFalse(msg.contains("\n"), "one line: " + msg);
		return msg;
	}

	private static void assertHas(String msg, String... parts) {
		for (String p : parts) assertTrue(msg.contains(p), "expected '" + p + "' in: " + msg);
	}

	@Test
	void aMissingOrAlteredTokenizerFileIsRefused() throws IOException {
		Files.delete(dir.resolve("tokenizer/vocab.json"));
		assertHas(error("\"max_tokens\"", "\"max_tokens\""), "vocab.json", "is missing", "Copy the complete bundle");
		Files.writeString(dir.resolve("tokenizer/vocab.json"), "{\"a\": 0}");
		assertHas(error("\"max_tokens\"", "\"max_tokens\""), "vocab.json has SHA-256", "but model.json expects");
	}

	@Test
	void tokenizerPathsStayInsideTheBundle() throws IOException {
		assertHas(error("\"tokenizer/merges.txt\"", "\"tokenizer/../../merges.txt\""), "merges.file", "no '..'");
		assertHas(error("\"tokenizer/merges.txt\"", "\"/etc/passwd\""), "merges.file", "inside the bundle folder");
	}

	@Test
	void absurdNumbersAreRefused() throws IOException {
		assertHas(error("\"max_tokens\": 77", "\"max_tokens\": 1000000000"), "text.max_tokens",
			"must be an integer from 2 to 1024");
		assertHas(error("\"max_tokens\": 77", "\"max_tokens\": 1"), "text.max_tokens", "from 2 to 1024");
		assertHas(error("\"start_token\": 49406", "\"start_token\": -1"), "text.start_token", "from 0 to 16777215");
		assertHas(error("\"pad_token\": 49407", "\"pad_token\": 1e12"), "text.pad_token", "from 0 to 16777215");
		assertHas(error("\"tokenizer\": \"clip-bpe\"", "\"tokenizer\": \"sentencepiece\""), "text.tokenizer",
			"reads only \"clip-bpe\"");
		assertHas(error("\"null_prompt\": \"\"", "\"null_prompt\": \"\", \"labels\": [\"a\"]"), "labels/null_label");
	}

	@Test
	void specialTokensOutsideTheVocabularyAreRefusedWhenTheDenoiserLoads() throws IOException {
		Files.writeString(dir.resolve(Manifest.FILE_NAME), json.replace("\"end_token\": 49407", "\"end_token\": 60000"));
		try (ModelBundle bundle = ModelBundle.open(dir, Device.cpu())) {
			BundleException e = assertThrows(BundleException.class, () -> bundle.denoiser("inpaint"));
			assertHas(e.getMessage(), "end_token 60000 is not an id of", "vocab.json", "ids 0 to 49407");
			assertFalse(e.getMessage().contains("\n"));
		}
	}
}
