package org.ldmfiji.updatesite;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The checksum the Fiji updater records for a file and compares with the installed copy: lower-case hex SHA-1.
 * Rules as implemented by imagej-updater ({@code UpdaterUtil.getDigest}, {@code getJarDigest},
 * {@code SkipHashedLines}, {@code FilterManifest}; read at commit ea5f12e, reimplemented here):
 * <ul>
 * <li>a path ending in {@code .jar}: over the entries sorted by name ({@link String#compareTo}), each
 * contributing its name (ASCII) then its content; a {@code .properties} entry's content passes through
 * {@link PropertiesCommentFilter}; {@code META-INF/MANIFEST.MF} contributes its name only (the updater's
 * manifest filter keeps only lines whose upper-cased text starts with the mixed-case "Main-Class:", which
 * none does); directory entries contribute their name;</li>
 * <li>any other file: its relative path in the application folder (ASCII, '/' separated) then its bytes.</li>
 * </ul>
 */
public final class UpdaterChecksum {

	static final String MANIFEST = "META-INF/MANIFEST.MF";

	private UpdaterChecksum() {}

	/** The checksum of {@code file} installed at {@code relativePath} (e.g. {@code jars/foo-1.0.jar}). */
	public static String of(String relativePath, Path file) {
		MessageDigest sha1 = sha1();
		try {
			if (relativePath.endsWith(".jar")) digestJar(file, sha1);
			else {
				sha1.update(relativePath.getBytes(StandardCharsets.US_ASCII));
				try (InputStream in = Files.newInputStream(file)) {
					pump(in, sha1);
				}
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read " + file + " to compute its updater checksum", e);
		}
		return hex(sha1.digest());
	}

	private static void digestJar(Path file, MessageDigest sha1) throws IOException {
		try (JarFile jar = new JarFile(file.toFile(), false)) {
			List<JarEntry> entries = new ArrayList<>(Collections.list(jar.entries()));
			entries.sort(Comparator.comparing(JarEntry::getName));
			for (JarEntry entry : entries) {
				String name = entry.getName();
				sha1.update(name.getBytes(StandardCharsets.US_ASCII));
				if (name.equals(MANIFEST)) continue;
				try (InputStream in = jar.getInputStream(entry)) {
					if (name.endsWith(".properties")) sha1.update(PropertiesCommentFilter.filter(readAll(in)));
					else pump(in, sha1);
				}
			}
		}
	}

	private static byte[] readAll(InputStream in) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		in.transferTo(out);
		return out.toByteArray();
	}

	private static void pump(InputStream in, MessageDigest sha1) throws IOException {
		byte[] buffer = new byte[1 << 16];
		for (int n; (n = in.read(buffer)) >= 0;)
			sha1.update(buffer, 0, n);
	}

	static MessageDigest sha1() {
		try {
			return MessageDigest.getInstance("SHA-1");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("this JVM has no SHA-1, which every Java platform must provide", e);
		}
	}

	static String hex(byte[] bytes) {
		StringBuilder s = new StringBuilder(bytes.length * 2);
		for (byte b : bytes)
			s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
		return s.toString();
	}
}
