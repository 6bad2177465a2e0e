package org.ldmfiji.cli;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Image files in and out through ImageJ 1.x's own readers and writers (TIFF keeps the bit depth); FileSaver, not
 * IJ.saveAs, which builds menus and fails headless.
 */
final class ImageFiles {

	private ImageFiles() {}

	static ImagePlus open(Path path) {
		if (!Files.isRegularFile(path)) throw new IllegalArgumentException("no image file " + path);
		ImagePlus imp = IJ.openImage(path.toString());
		if (imp == null) throw new IllegalArgumentException("ImageJ cannot read " + path
			+ ": use a TIFF or PNG (8-, 16-, 32-bit or RGB)");
		return imp;
	}

	/** Saves as TIFF, or PNG when the name ends in .png (8-bit and RGB only). */
	static void save(ImagePlus imp, Path path) {
		String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
		boolean ok;
		if (name.endsWith(".png")) {
			if (imp.getBitDepth() == 16 || imp.getBitDepth() == 32) throw new IllegalArgumentException("PNG cannot hold a "
				+ imp.getBitDepth() + "-bit image without losing its values: write " + path + " as .tif");
			ok = new FileSaver(imp).saveAsPng(path.toString());
		}
		else ok = new FileSaver(imp).saveAsTiff(path.toString());
		if (!ok || !Files.isRegularFile(path)) throw new IllegalStateException("could not write " + path);
	}
}
