package org.ldmfiji.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of files and bytes, as lowercase hex. */
final class Hashes {

	private Hashes() {}

	static String sha256(Path file) {
		try (InputStream in = Files.newInputStream(file)) {
			MessageDigest md = digest();
			byte[] buf = new byte[1 << 16];
			for (int n; (n = in.read(buf)) > 0;) md.update(buf, 0, n);
			return hex(md.digest());
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
		}
	}

	static String sha256(byte[] bytes) {
		return hex(digest().digest(bytes));
	}

	private static MessageDigest digest() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String hex(byte[] b) {
		StringBuilder s = new StringBuilder(b.length * 2);
		for (byte x : b) s.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
		return s.toString();
	}
}
