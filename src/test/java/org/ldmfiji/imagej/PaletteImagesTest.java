package org.ldmfiji.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;

import org.junit.jupiter.api.Test;
import org.ldmfiji.task.DemoModel;
import org.ldmfiji.task.Progress;

import java.awt.image.IndexColorModel;

/**
 * 8-bit images whose values index a palette (a 1-bit PNG opens as values 0 and 1 shown black and white; a GIF or a
 * PNG with a colour table as indices into it) are processed as what they show. Before, the model read the indices as
 * grey levels: a black-and-white 1-bit image came out of super-resolution as values 0-10, nearly black under the
 * palette it kept, and a colour-indexed one as indices past the palette's end. ImageJ's own display tables (the grey
 * ramp, the inverted ramp, a pseudo-colour LUT) are left alone: there the values are the data.
 */
class PaletteImagesTest {

	/** A 32 × 32 checkerboard of 8 px squares with values 0 and 1 and a two-entry black-and-white palette. */
	private static ImagePlus oneBit() {
		ByteProcessor ip = new ByteProcessor(32, 32);
		for (int y = 0; y < 32; y++)
			for (int x = 0; x < 32; x++) ip.set(x, y, (x / 8 + y / 8) % 2);
		ip.setColorModel(new IndexColorModel(8, 2, new byte[] {0, (byte) 255}, new byte[] {0, (byte) 255},
			new byte[] {0, (byte) 255}));
		return new ImagePlus("bits.png", ip);
	}

	/** Four colours in 8 px bands, indices 0-3 of a four-entry palette. */
	private static final int[] COLOURS = {0x3070c0, 0xd04020, 0x40a050, 0xe0d060};

	private static ImagePlus colourIndexed() {
		ByteProcessor ip = new ByteProcessor(32, 32);
		for (int y = 0; y < 32; y++)
			for (int x = 0; x < 32; x++) ip.set(x, y, (x / 8 + y / 16) % 4);
		byte[] r = new byte[4], g = new byte[4], b = new byte[4];
		for (int i = 0; i < 4; i++) {
			r[i] = (byte) (COLOURS[i] >> 16);
			g[i] = (byte) (COLOURS[i] >> 8);
			b[i] = (byte) COLOURS[i];
		}
		ip.setColorModel(new IndexColorModel(8, 4, r, g, b));
		return new ImagePlus("flowers.gif", ip);
	}

	private static SuperResolveImage.Options options() {
		SuperResolveImage.Options o = new SuperResolveImage.Options();
		o.sampling = DemoModel.fast(3);
		o.samples = 1;
		return o;
	}

	@Test
	void aOneBitImageIsSuperResolvedAsBlackAndWhite() {
		ImagePlus out = SuperResolveImage.run(DemoModel.get(), oneBit(), options(), Progress.NONE).image;
		assertEquals(8, out.getBitDepth());
		assertTrue(out.getProcessor().isDefaultLut(), "the result shows its values as grey levels");
		// consistency: each 4 × 4 block's mean is the input pixel as shown, 0 or 255
		ImageProcessor ip = out.getProcessor();
		double worst = 0;
		for (int by = 0; by < 32; by++)
			for (int bx = 0; bx < 32; bx++) {
				double sum = 0;
				for (int y = 0; y < 4; y++)
					for (int x = 0; x < 4; x++) sum += ip.get(4 * bx + x, 4 * by + y);
				worst = Math.max(worst, Math.abs(sum / 16 - 255 * ((bx / 8 + by / 8) % 2)));
			}
		assertTrue(worst <= 8, "block means off the black-and-white input by up to " + worst);
	}

	@Test
	void aColourIndexedImageIsSuperResolvedInColour() {
		ImagePlus out = SuperResolveImage.run(DemoModel.get(), colourIndexed(), options(), Progress.NONE).image;
		assertEquals(24, out.getBitDepth(), "an RGB result");
		ImageProcessor ip = out.getProcessor();
		for (int c = 0; c < 4; c++) { // the middle of each band, its colour to within a few levels
			int x = 4 * (8 * c + 4), y = 4 * 8, rgb = ip.get(x, y), want = COLOURS[c];
			for (int shift = 0; shift <= 16; shift += 8)
				assertTrue(Math.abs((rgb >> shift & 0xff) - (want >> shift & 0xff)) <= 12, String.format(
					"band %d: %06x, the palette's colour %06x", c, rgb & 0xffffff, want));
		}
		assertTrue(out.getInfoProperty().contains("colour palette"), "provenance says how the source was read");
		assertTrue(ImagePlanes.describe(PaletteImages.asShown(colourIndexed())).contains("colour palette"),
			"the same when the CLI converted the file on reading");
	}

	@Test
	void inpaintingGivesANewImageWithTheShownValuesOutside() {
		ImagePlus src = colourIndexed();
		boolean[] mask = new boolean[32 * 32];
		for (int y = 12; y < 20; y++)
			for (int x = 12; x < 20; x++) mask[y * 32 + x] = true;
		InpaintImage.Options o = new InpaintImage.Options();
		o.sampling = DemoModel.fast(4);
		o.grow = 0;
		ImagePlus out = InpaintImage.run(DemoModel.get(), src, mask, o, Progress.NONE).image;
		assertEquals(24, out.getBitDepth());
		for (int p = 0; p < mask.length; p++)
			if (!mask[p]) assertEquals(COLOURS[src.getProcessor().get(p)], out.getProcessor().get(p) & 0xffffff, "pixel " + p);
		o.inPlace = true;
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> InpaintImage.run(DemoModel.get(), src, mask, o, Progress.NONE));
		assertTrue(e.getMessage().contains("Image > Type > RGB Color"), e.getMessage());
		assertEquals(1, src.getProcessor().get(12, 0), "the source is untouched");
	}

	@Test
	void imageJsDisplayTablesKeepTheValues() {
		ByteProcessor ip = new ByteProcessor(8, 8);
		ImagePlus grey = new ImagePlus("grey", ip);
		assertSame(grey, PaletteImages.asShown(grey));
		ImagePlus inverted = new ImagePlus("mask", ip.duplicate());
		inverted.getProcessor().invertLut();
		assertSame(inverted, PaletteImages.asShown(inverted));
		ImagePlus fire = new ImagePlus("fire", ip.duplicate());
		byte[] r = new byte[256], g = new byte[256], b = new byte[256];
		for (int i = 0; i < 256; i++) { // a smooth black-red-yellow ramp, as Fire
			r[i] = (byte) Math.min(255, 2 * i);
			g[i] = (byte) Math.max(0, 2 * i - 255);
			b[i] = 0;
		}
		fire.getProcessor().setLut(new LUT(r, g, b));
		assertSame(fire, PaletteImages.asShown(fire));
		ImagePlus contrast = new ImagePlus("contrast", ip.duplicate());
		contrast.setDisplayRange(20, 90); // stretches the shown table, not the values
		assertSame(contrast, PaletteImages.asShown(contrast));
		assertEquals(PaletteImages.Palette.GREY, PaletteImages.of(oneBit()));
		assertEquals(PaletteImages.Palette.COLOUR, PaletteImages.of(colourIndexed()));
	}
}
