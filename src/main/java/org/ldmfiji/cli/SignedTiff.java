package org.ldmfiji.cli;

import ij.ImagePlus;
import ij.io.FileInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A 16-bit image that ImageJ holds with its signed calibration written as the signed 16-bit TIFF it came from. ImageJ
 * opens a signed 16-bit TIFF (SampleFormat 2: CT numbers, a FITS frame of BITPIX 16) as its values + 32768 with the
 * value function v − 32768, and its TIFF encoder writes those unsigned values back with the function in the
 * description: only ImageJ reads them as they were, every other reader 32768 too high. Here the pixels are given to
 * the encoder with their sign bit flipped (u − 32768 as two's complement: u XOR 0x8000), and each image directory
 * (IFD) is written again after the encoder's bytes with the tag SampleFormat = 2 added; the header points to the new
 * directories, every other offset of the file stays valid. ImageJ reads the result back as the same values and
 * function (TIFF 6.0, section 2 and SampleFormat in section 19).
 */
final class SignedTiff {

	private static final int SAMPLE_FORMAT = 339, SHORT = 3, SIGNED = 2;

	private SignedTiff() {}

	/** The image has 16-bit pixels that ImageJ shows with its signed calibration. */
	static boolean isSigned(ImagePlus imp) {
		return imp.getBitDepth() == 16 && imp.getCalibration().isSigned16Bit();
	}

	/** Gives {@code fi} copies of its 16-bit planes with the sign bit flipped, as signed 16-bit. */
	static void toSigned(FileInfo fi) {
		if (fi.pixels instanceof short[]) fi.pixels = flipped((short[]) fi.pixels);
		else {
			Object[] planes = ((Object[]) fi.pixels).clone(); // a stack's array, which may hold more slots than planes
			for (int i = 0; i < fi.nImages; i++) planes[i] = flipped((short[]) planes[i]);
			fi.pixels = planes;
		}
		fi.fileType = FileInfo.GRAY16_SIGNED;
	}

	private static short[] flipped(short[] unsigned) {
		short[] out = new short[unsigned.length];
		for (int i = 0; i < out.length; i++) out[i] = (short) (unsigned[i] ^ 0x8000);
		return out;
	}

	/** The TIFF file {@code tiff} with SampleFormat = 2 in every image directory. */
	static byte[] markSigned(byte[] tiff) {
		ByteBuffer in = ByteBuffer.wrap(tiff).order(tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
		int directories = 0, size = 0;
		for (long ifd = in.getInt(4) & 0xffffffffL; ifd != 0; ifd = in.getInt((int) ifd + 2 + 12 * count(in, ifd)) & 0xffffffffL) {
			directories++;
			size += 2 + 12 * (count(in, ifd) + 1) + 4;
		}
		int start = tiff.length + (tiff.length & 1); // a directory begins on a word boundary
		ByteBuffer out = ByteBuffer.wrap(Arrays.copyOf(tiff, start + size)).order(in.order());
		out.putInt(4, start);
		int at = start;
		long ifd = in.getInt(4) & 0xffffffffL;
		for (int d = 0; d < directories; d++) {
			int n = count(in, ifd), entries = (int) ifd + 2;
			out.position(at);
			out.putShort((short) (n + 1));
			boolean added = false;
			for (int e = 0; e < n; e++) {
				int tag = in.getShort(entries + 12 * e) & 0xffff;
				if (!added && tag > SAMPLE_FORMAT) added = putSampleFormat(out);
				if (tag == SAMPLE_FORMAT) throw new IllegalStateException("the encoder wrote a SampleFormat tag already");
				out.put(Arrays.copyOfRange(tiff, entries + 12 * e, entries + 12 * e + 12));
			}
			if (!added) putSampleFormat(out);
			long next = in.getInt(entries + 12 * n) & 0xffffffffL;
			at += 2 + 12 * (n + 1) + 4;
			out.putInt(next == 0 ? 0 : at);
			ifd = next;
		}
		return out.array();
	}

	private static int count(ByteBuffer in, long ifd) {
		return in.getShort((int) ifd) & 0xffff;
	}

	private static boolean putSampleFormat(ByteBuffer out) {
		out.putShort((short) SAMPLE_FORMAT).putShort((short) SHORT).putInt(1);
		out.putShort((short) SIGNED).putShort((short) 0); // a SHORT value sits in the first two bytes of the field
		return true;
	}
}
