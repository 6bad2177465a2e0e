package org.ldmfiji.spark;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;

import org.ldmfiji.imagej.InpaintImage;
import org.ldmfiji.imagej.Selections;
import org.ldmfiji.task.LatentDiffusion;
import org.ldmfiji.task.Progress;

/**
 * One (slice, frame) position of an ImageJ image inpainted through the code {@code ./ldm inpaint} runs ({@link
 * InpaintImage#run}): the position's channels as an image of their own, the mask image's non-zero pixels as the
 * region ({@link Selections#maskOf}, as the command reads its --mask). Every window's fill depends only on the
 * position's pixels, the mask and the seed, so the result equals the command's on that position of the whole image.
 */
final class PlaneInpainter {

	private PlaneInpainter() {}

	/** The fill mask of a mask image for a source image (refused when its size differs). */
	static boolean[] mask(String maskPath, ImagePlus source) {
		ImagePlus m = IJ.openImage(maskPath);
		if (m == null) throw new IllegalArgumentException("ImageJ cannot read the mask " + maskPath + ": use a TIFF or PNG");
		return Selections.maskOf(m, source);
	}

	/**
	 * @param position 1-based (slice, frame) position in ImageJ's order: frame by frame, slice by slice
	 * @return the inpainted channels of that position (stack order), the source's type
	 */
	static ImagePlus run(LatentDiffusion ld, ImagePlus source, int position, boolean[] mask, InpaintSettings s) {
		int c = source.getNChannels(), z = (position - 1) % source.getNSlices() + 1, t = (position - 1) / source.getNSlices() + 1;
		ImageStack planes = new ImageStack(source.getWidth(), source.getHeight());
		for (int k = 1; k <= c; k++) {
			int i = source.getStackIndex(k, z, t);
			planes.addSlice(source.getStack().getSliceLabel(i), source.getStack().getProcessor(i));
		}
		ImagePlus one = new ImagePlus(source.getTitle(), planes);
		one.setDimensions(c, 1, 1);
		InpaintImage.Result r;
		synchronized (ld) { // one bundle runs one task at a time (LatentDiffusion's contract)
			r = InpaintImage.run(ld.bundle(), one, mask, s.options(), Progress.NONE);
		}
		return r.image;
	}
}
