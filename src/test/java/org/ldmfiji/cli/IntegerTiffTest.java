package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ShortProcessor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Integer TIFF files keep their values. Signed 16-bit ones (CT numbers, FITS frames of BITPIX 16) come back signed:
 * ImageJ opens one as its values + 32768 with a value function, and its encoder wrote those unsigned values, so every
 * reader but ImageJ saw each pixel 32768 too high, the pixels outside an inpainted region included. Several signed
 * 16-bit samples per pixel, which ImageJ reads as unsigned, and 32-bit integers that its 32-bit floats cannot hold
 * exactly, are refused.
 */
class IntegerTiffTest {

	private static final short[] VALUES = {-1000, -1, 0, 1234, 32767, -32768};

	@Test
	void aSignedImageIsWrittenWithItsValuesAndSampleFormatTwo(@TempDir Path dir) throws IOException {
		Path in = Files.write(dir.resolve("ct.tif"), tiff(VALUES.length, 1, new int[] {16}, 2, bigEndian(VALUES)));
		ImagePlus imp = ImageFiles.open(in);
		assertTrue(imp.getCalibration().isSigned16Bit(), "ImageJ's signed calibration");
		assertEquals(-1000 + 32768, imp.getProcessor().get(0, 0), "ImageJ holds the value + 32768");
		Path out = dir.resolve("out.tif");
		ImageFiles.save(imp, out);
		Short[] written = pages(Files.readAllBytes(out)).get(0);
		for (int x = 0; x < VALUES.length; x++) assertEquals(VALUES[x], written[x], "the file's value at x=" + x + " as int16");
		ImagePlus back = ImageFiles.open(out);
		assertTrue(back.getCalibration().isSigned16Bit());
		for (int x = 0; x < VALUES.length; x++) assertEquals(imp.getProcessor().get(x, 0), back.getProcessor().get(x, 0));
	}

	@Test
	void everyPlaneOfAStackIsSigned(@TempDir Path dir) throws IOException {
		ImageStack stack = new ImageStack(3, 2);
		for (int p = 0; p < 3; p++) {
			ShortProcessor ip = new ShortProcessor(3, 2);
			for (int i = 0; i < 6; i++) ip.set(i, 32768 + 100 * p - i * 7000);
			stack.addSlice("plane " + p, ip);
		}
		ImagePlus imp = new ImagePlus("stack", stack);
		imp.getCalibration().setSigned16BitCalibration();
		imp.setProperty("Info", "provenance");
		Path out = dir.resolve("stack.tif");
		ImageFiles.save(imp, out);
		List<Short[]> pages = pages(Files.readAllBytes(out));
		assertEquals(3, pages.size());
		for (int p = 0; p < 3; p++)
			for (int i = 0; i < 6; i++) assertEquals((short) (100 * p - i * 7000), pages.get(p)[i], "plane " + p + ", pixel " + i);
		ImagePlus back = ImageFiles.open(out);
		assertEquals(3, back.getStackSize());
		assertEquals("provenance", back.getInfoProperty(), "ImageJ's own metadata still read");
		assertEquals(stack.getProcessor(3).get(5), back.getStack().getProcessor(3).get(5));
	}

	@Test
	void signedSamplesThatImageJReadsAsUnsignedAreRefused(@TempDir Path dir) throws IOException {
		short[] rgb = {-5, 0, 5, 100, -100, 7};
		Path in = Files.write(dir.resolve("rgb16.tif"), tiff(2, 3, new int[] {16, 16, 16}, 2, bigEndian(rgb)));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageFiles.open(in));
		assertTrue(e.getMessage().contains("signed values in 3 samples per pixel"), e.getMessage());
	}

	@Test
	void thirtyTwoBitIntegersAreReadOnlyWhereFloatsHoldThemExactly(@TempDir Path dir) throws IOException {
		int[] exact = {-16777216, 0, 16777216};
		ImagePlus imp = ImageFiles.open(Files.write(dir.resolve("exact.tif"), tiff(3, 1, new int[] {32}, 2, bigEndian(exact))));
		for (int x = 0; x < 3; x++) assertEquals(exact[x], imp.getProcessor().getf(x, 0), "value at x=" + x);
		Path rounded = Files.write(dir.resolve("big.tif"), tiff(3, 1, new int[] {32}, 2, bigEndian(new int[] {100000001, 0, 1})));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageFiles.open(rounded));
		assertTrue(e.getMessage().contains("32-bit integers of magnitude up to about 100000000"), e.getMessage());
		// unsigned (SampleFormat 1): ImageJ reads 4294967295 as -1
		Path unsigned = Files.write(dir.resolve("u32.tif"), tiff(3, 1, new int[] {32}, 1, bigEndian(new int[] {-1, 0, 1})));
		e = assertThrows(IllegalArgumentException.class, () -> ImageFiles.open(unsigned));
		assertTrue(e.getMessage().contains("magnitude up to about 4294967295"), e.getMessage());
	}

	private static byte[] bigEndian(int[] values) {
		ByteBuffer b = ByteBuffer.allocate(4 * values.length);
		for (int v : values) b.putInt(v);
		return b.array();
	}

	private static byte[] bigEndian(short[] values) {
		ByteBuffer b = ByteBuffer.allocate(2 * values.length);
		for (short v : values) b.putShort(v);
		return b.array();
	}

	/**
	 * A big-endian one-row TIFF of {@code width} pixels of {@code samples} samples (bits per sample given, SampleFormat
	 * for all), written tag by tag; arrays of more than two SHORTs after the directory, as TIFF 6.0 places them.
	 */
	private static byte[] tiff(int width, int samples, int[] bits, int format, byte[] data) throws IOException {
		int[] formats = new int[samples];
		java.util.Arrays.fill(formats, format);
		int[][] tags = {{256, width}, {257, 1}, {258}, {259, 1}, {262, 1}, {273}, {277, samples}, {279, data.length}, {339}};
		int ifdEnd = 8 + 2 + 12 * tags.length + 4;
		int arrays = samples > 2 ? 2 * 2 * samples : 0, dataAt = ifdEnd + arrays;
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		DataOutputStream d = new DataOutputStream(bytes);
		d.write(new byte[] {'M', 'M', 0, 42});
		d.writeInt(8);
		d.writeShort(tags.length);
		for (int[] t : tags) {
			int[] values = t[0] == 258 ? bits : t[0] == 339 ? formats : t[0] == 273 ? new int[] {dataAt} : new int[] {t[1]};
			boolean longValue = t[0] == 273 || t[0] == 279;
			d.writeShort(t[0]);
			d.writeShort(longValue ? 4 : 3);
			d.writeInt(values.length);
			if (longValue) d.writeInt(values[0]);
			else if (values.length > 2) d.writeInt(ifdEnd + (t[0] == 339 ? 2 * samples : 0));
			else d.writeInt(values[0] << 16 | (values.length > 1 ? values[1] : 0));
		}
		d.writeInt(0);
		if (samples > 2) {
			for (int b : bits) d.writeShort(b);
			for (int f : formats) d.writeShort(f);
		}
		d.write(data);
		return bytes.toByteArray();
	}

	/** Each image directory's pixels as int16 (one strip, as ImageJ writes), after checking its SampleFormat is 2. */
	private static List<Short[]> pages(byte[] file) {
		ByteBuffer b = ByteBuffer.wrap(file).order(file[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
		List<Short[]> out = new ArrayList<>();
		for (int ifd = b.getInt(4); ifd != 0; ) {
			int n = b.getShort(ifd) & 0xffff, offset = -1, count = -1, format = -1;
			for (int e = 0; e < n; e++) {
				int at = ifd + 2 + 12 * e, tag = b.getShort(at) & 0xffff;
				if (tag == 273) offset = b.getInt(at + 8);
				if (tag == 279) count = b.getInt(at + 8);
				if (tag == 339) format = b.getShort(at + 8);
			}
			assertEquals(2, format, "SampleFormat of directory " + out.size());
			Short[] values = new Short[count / 2];
			for (int i = 0; i < values.length; i++) values[i] = b.getShort(offset + 2 * i);
			out.add(values);
			ifd = b.getInt(ifd + 2 + 12 * n);
		}
		return out;
	}
}
