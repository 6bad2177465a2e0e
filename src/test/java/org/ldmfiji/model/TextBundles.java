package org.ldmfiji.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.GZIPInputStream;

/**
 * The tiny text-conditioned test bundle (models/make_text_test_bundle.py; test resource org/ldmfiji/model/text-bundle)
 * assembled in a folder: its parts and model.json, and CLIP's tokenizer files unpacked into {@code tokenizer/} from
 * the gzipped test resources (org/ldmfiji/model/clip), whose SHA-256 the manifest records.
 */
public final class TextBundles {

	private TextBundles() {}

	/** The bundle written into {@code target} (created). */
	public static Path tiny(Path target) {
		try {
			Path source = Paths.get(TextBundles.class.getResource("text-bundle/model.json").toURI()).getParent();
			TestBundles.copy(source, target);
			Files.createDirectories(target.resolve("tokenizer"));
			gunzip("clip/vocab.json.gz", target.resolve("tokenizer/vocab.json"));
			gunzip("clip/merges.txt.gz", target.resolve("tokenizer/merges.txt"));
			return target;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		catch (URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}

	private static void gunzip(String resource, Path to) throws IOException {
		try (InputStream in = new GZIPInputStream(TextBundles.class.getResourceAsStream(resource))) {
			Files.copy(in, to);
		}
	}
}
