package org.ldmfiji.cli;

import ij.io.FileInfo;
import ij.io.TiffDecoder;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether a TIFF holds all the pixel data its directories (IFDs) promise. ImageJ's reader fills what is missing at the
 * end of a cut file with zeros; this reads the directories with ImageJ's own {@link TiffDecoder} and compares every
 * strip (offset + byte count), and for ImageJ's contiguous stacks offset + planes × (plane + gap), with the file's size.
 */
final class TiffCheck {

	private TiffCheck() {}

	static boolean isTiff(byte[] head) {
		return head.length >= 4 && (head[0] == 'I' && head[1] == 'I' && head[2] == 42 && head[3] == 0
			|| head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] == 42);
	}

	/** BigTIFF (version 43 instead of 42), which ImageJ 1.x's TIFF reader does not read. */
	static boolean isBigTiff(byte[] head) {
		return head.length >= 4 && (head[0] == 'I' && head[1] == 'I' && head[2] == 43 && head[3] == 0
			|| head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] == 43);
	}

	/** Throws IllegalArgumentException naming the file when it is unreadable or shorter than its data. */
	static void requireComplete(Path path) {
		FileInfo[] ifds;
		long size;
		try {
			size = Files.size(path);
			File f = path.toAbsolutePath().toFile();
			ifds = new TiffDecoder(f.getParent() + File.separator, f.getName()).getTiffInfo();
		}
		catch (IOException | RuntimeException e) {
			String reason = IoReason.of(e);
			// ImageJ's decoder names a format it does not read (64-bit, half float, tiled): the file may be whole
			String lower = reason.toLowerCase(Locale.ROOT);
			boolean unsupported = lower.contains("unsupported") || lower.contains("cannot open");
			throw new IllegalArgumentException("cannot read " + path + ": not a readable TIFF (" + reason + ")" + (unsupported
				? "; save it as an 8-, 16- or 32-bit (float) or RGB TIFF first" : "; is the file complete?"), e);
		}
		if (ifds == null || ifds.length == 0) throw new IllegalArgumentException("cannot read " + path
			+ ": no image directory in this TIFF; is the file complete?");
		if (ifds[0].getBytesPerPixel() == 1 && isSigned(path)) throw new IllegalArgumentException("cannot read " + path
			+ ": it holds signed 8-bit values, which ImageJ's reader takes as unsigned (-1 as 255); convert it to 16- or "
			+ "32-bit first");
		if (ifds[0].samplesPerPixel > 1 && ifds[0].fileType != FileInfo.RGB && isSigned(path))
			throw new IllegalArgumentException("cannot read " + path + ": it holds signed values in " + ifds[0].samplesPerPixel
				+ " samples per pixel, which ImageJ's reader takes as unsigned (-1 as 65535); save the channels as pages "
				+ "(a stack) or as 32-bit first");
		for (FileInfo fi : ifds) {
			long end = dataEnd(fi);
			if (end > size) throw new IllegalArgumentException(String.format(Locale.ROOT, "cannot read %s: the "
				+ "file is cut short (%d bytes, its image data reaches byte %d); use a complete copy", path, size, end));
		}
	}

	/**
	 * Whether the first image directory says SampleFormat = 2 (signed integers), TIFF 6.0 tag 339: ImageJ's decoder
	 * honours it for one sample of 16 and 32 bits but reads 8-bit data, and several 16-bit samples per pixel, as
	 * unsigned.
	 */
	static boolean isSigned(Path path) {
		try (FileChannel ch = FileChannel.open(path)) {
			ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), 1 << 16));
			ch.read(b, 0);
			b.flip();
			b.order(b.get(0) == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
			long ifd = Integer.toUnsignedLong(b.getInt(4));
			if (ifd + 2 > b.limit()) return false;
			int entries = Short.toUnsignedInt(b.getShort((int) ifd));
			for (int k = 0; k < entries && ifd + 2 + 12 * (k + 1) <= b.limit(); k++) {
				int at = (int) ifd + 2 + 12 * k;
				if (Short.toUnsignedInt(b.getShort(at)) != 339) continue;
				long count = Integer.toUnsignedLong(b.getInt(at + 4)); // one SHORT per sample: past two, at an offset
				long value = count <= 2 ? at + 8 : Integer.toUnsignedLong(b.getInt(at + 8));
				return value + 2 <= b.limit() && Short.toUnsignedInt(b.getShort((int) value)) == 2;
			}
			return false;
		}
		catch (IOException | RuntimeException e) {
			return false; // ImageJ's own reading decides
		}
	}

	/** The byte just past the last pixel data the directory refers to. */
	static long dataEnd(FileInfo fi) {
		long end = 0, planeBytes = 0;
		if (fi.stripOffsets != null && fi.stripLengths != null)
			for (int i = 0; i < Math.min(fi.stripOffsets.length, fi.stripLengths.length); i++) {
				long length = Integer.toUnsignedLong(fi.stripLengths[i]);
				end = Math.max(end, Integer.toUnsignedLong(fi.stripOffsets[i]) + length);
				planeBytes += length;
			}
		boolean uncompressed = fi.compression == FileInfo.COMPRESSION_NONE || fi.compression == FileInfo.COMPRESSION_UNKNOWN;
		if (uncompressed) {
			if (planeBytes == 0) planeBytes = (long) fi.width * fi.height * fi.getBytesPerPixel();
			long planes = Math.max(1, fi.nImages);
			end = Math.max(end, fi.getOffset() + planes * planeBytes + (planes - 1) * fi.getGap());
		}
		return end;
	}
}
