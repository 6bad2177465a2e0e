package org.ldmfiji.updatesite;

import java.io.ByteArrayOutputStream;

/**
 * What the Fiji updater hashes of a {@code .properties} entry in a jar (imagej-updater {@code SkipHashedLines},
 * reimplemented as a state machine): a line that starts with '#' contributes only its '\n'. Two quirks of the
 * updater's reader are kept, since checksums must match byte for byte:
 * <ul>
 * <li>after an empty line, or a comment line made only of '#' characters, the next line is not treated as a line
 * start (a '#' there is kept);</li>
 * <li>a comment at the end of the data without '\n' contributes nothing.</li>
 * </ul>
 * In the updater's terms: at a line start, a '#' swallows everything up to and including '\n' and yields that
 * '\n'; any other byte is yielded and ends the line start, even when that byte is '\n'; within a line, '\n' starts
 * a new line.
 */
final class PropertiesCommentFilter {

	private PropertiesCommentFilter() {}

	static byte[] filter(byte[] data) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(data.length);
		boolean lineStart = true;
		int i = 0;
		while (i < data.length) {
			byte b = data[i++];
			if (!lineStart) {
				out.write(b);
				if (b == '\n') lineStart = true;
				continue;
			}
			if (b != '#') {
				out.write(b);
				lineStart = false;
				continue;
			}
			// A comment: skip to the end of the line. The updater reads it with nested line-start reads, so the
			// line-start state afterwards depends on whether anything but '#' came before the '\n'.
			boolean onlyHashes = true;
			while (i < data.length && data[i] != '\n') {
				if (data[i] != '#') onlyHashes = false;
				i++;
			}
			if (i == data.length) break; // unterminated comment: nothing
			out.write('\n');
			i++;
			lineStart = !onlyHashes;
		}
		return out.toByteArray();
	}
}
