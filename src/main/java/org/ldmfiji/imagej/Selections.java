package org.ldmfiji.imagej;

import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;

import java.awt.Color;
import java.awt.Rectangle;

import java.util.Arrays;

/**
 * Between ImageJ's ways of marking a region and the core's fill masks (W·H, row-major, true = fill): the mask of
 * a selection or of a mask image, and the filled region back as a selection and an overlay.
 */
public final class Selections {

	private Selections() {}

	/** The fill mask of the image's selection (any area shape; a line selection by its width). */
	public static boolean[] maskOf(ImagePlus imp) {
		Roi roi = imp.getRoi();
		if (roi == null) throw new IllegalArgumentException("'" + imp.getTitle() + "' has no selection: draw one around "
			+ "the region to fill (any shape), or give a mask image whose non-zero pixels mark it");
		if (roi.isLine()) roi = Roi.convertLineToArea(roi);
		if (roi == null || !roi.isArea()) throw new IllegalArgumentException("the selection on '" + imp.getTitle()
			+ "' encloses no area (a point?): draw a rectangle, oval, polygon or freehand selection around the region");
		int w = imp.getWidth(), h = imp.getHeight();
		boolean[] mask = new boolean[w * h];
		ImageProcessor m = roi.getMask();
		Rectangle b = roi.getBounds();
		for (int y = Math.max(0, b.y); y < Math.min(h, b.y + b.height); y++)
			for (int x = Math.max(0, b.x); x < Math.min(w, b.x + b.width); x++)
				if (m == null || m.get(x - b.x, y - b.y) != 0) mask[y * w + x] = true;
		return mask;
	}

	/**
	 * The fill mask of a mask image: its non-zero pixels mark the region to fill, the same region on every plane of
	 * the image. A mask of several planes is taken only when they all mark the same pixels (a mask stack made by
	 * duplicating one plane); planes that differ are refused rather than all but the first ignored.
	 */
	public static boolean[] maskOf(ImagePlus maskImage, ImagePlus imp) {
		if (maskImage.getWidth() != imp.getWidth() || maskImage.getHeight() != imp.getHeight())
			throw new IllegalArgumentException("mask '" + maskImage.getTitle() + "' is " + maskImage.getWidth() + "x"
				+ maskImage.getHeight() + " but image '" + imp.getTitle() + "' is " + imp.getWidth() + "x" + imp.getHeight()
				+ ": the mask must have the image's size");
		boolean[] mask = plane(maskImage, 1);
		for (int p = 2; p <= maskImage.getStackSize(); p++)
			if (!Arrays.equals(mask, plane(maskImage, p))) throw new IllegalArgumentException("mask '"
				+ maskImage.getTitle() + "' has " + maskImage.getStackSize() + " planes that mark different pixels (plane "
				+ p + " differs from plane 1): one mask applies to every plane of the image, so give a single-plane mask "
				+ "(or fill each plane with its own)");
		return mask;
	}

	/** Plane p (1-based) of a mask image: its non-zero pixels. */
	private static boolean[] plane(ImagePlus maskImage, int p) {
		ImageProcessor ip = maskImage.getStack().getProcessor(p);
		int w = maskImage.getWidth(), h = maskImage.getHeight();
		boolean[] mask = new boolean[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) mask[y * w + x] = maskImage.getBitDepth() == 24 ? (ip.get(x, y) & 0xffffff) != 0
				: ip.getf(x, y) != 0;
		return mask;
	}

	/** The mask's outline as a selection (ImageJ's threshold-to-selection on a binary image). */
	static Roi outline(boolean[] mask, int w, int h) {
		ByteProcessor bp = new ByteProcessor(w, h);
		byte[] px = (byte[]) bp.getPixels();
		for (int i = 0; i < mask.length; i++) if (mask[i]) px[i] = (byte) 255;
		bp.setThreshold(255, 255, ImageProcessor.NO_LUT_UPDATE);
		Roi roi = new ThresholdToSelection().convert(bp);
		if (roi != null) roi.setName("LDM inpainted region");
		return roi;
	}

	/** The region drawn in yellow, as an overlay (empty without a region). */
	static Overlay overlay(Roi region) {
		Overlay overlay = new Overlay();
		if (region != null) {
			Roi r = (Roi) region.clone();
			r.setStrokeColor(Color.YELLOW);
			overlay.add(r);
		}
		return overlay;
	}
}
