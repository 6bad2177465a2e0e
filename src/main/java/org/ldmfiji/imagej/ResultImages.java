package org.ldmfiji.imagej;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;

import java.util.List;

/**
 * The images the jobs hand back, made like their source: a deep copy (the inpainting result), the stack of
 * samples of one position, and the per-pixel standard deviation map of several samples.
 */
final class ResultImages {

	private ResultImages() {}

	/**
	 * A copy of the image (all planes, pixels deep-copied) with its dimensions, calibration, LUTs, display range
	 * and composite mode; the source's selection is ignored and left alone. Planes are read through the stack's
	 * processors, so a virtual stack (planes read from disk on demand, whose {@code duplicate()} gives planes without
	 * pixels) gives an in-memory copy.
	 */
	static ImagePlus copy(ImagePlus imp, String title) {
		ImageStack stack;
		if (imp.getStackSize() == 1) {
			stack = new ImageStack(imp.getWidth(), imp.getHeight());
			stack.addSlice(imp.getProcessor().duplicate());
		}
		else {
			ImageStack source = imp.getStack();
			stack = new ImageStack(imp.getWidth(), imp.getHeight());
			for (int i = 1; i <= source.getSize(); i++) stack.addSlice(source.getSliceLabel(i), source.getProcessor(i).duplicate());
		}
		ImagePlus out = new ImagePlus(title, stack);
		out.setDimensions(imp.getNChannels(), imp.getNSlices(), imp.getNFrames());
		if (imp.isHyperStack()) out.setOpenAsHyperStack(true);
		out.setCalibration(imp.getCalibration().copy());
		if (imp.isComposite()) {
			CompositeImage ci = new CompositeImage(out, ((CompositeImage) imp).getMode());
			ci.setLuts(((CompositeImage) imp).getLuts());
			out = ci;
		}
		else if (imp.getBitDepth() != 24) {
			LUT lut = imp.getProcessor().getLut();
			if (lut != null) out.getProcessor().setLut(lut);
			out.setDisplayRange(imp.getDisplayRangeMin(), imp.getDisplayRangeMax());
		}
		out.setPosition(imp.getChannel(), imp.getSlice(), imp.getFrame());
		return out;
	}

	/** The stack of samples: the position's channels, one frame per sample, each a copy of the source plane. */
	static ImagePlus samples(ImagePlus imp, int[] pos, int samples, String title) {
		ImageStack s = new ImageStack(imp.getWidth(), imp.getHeight());
		for (int t = 0; t < samples; t++)
			for (int ch = 1; ch <= imp.getNChannels(); ch++) {
				ImageProcessor ip = imp.getStackSize() == 1 ? imp.getProcessor()
					: imp.getStack().getProcessor(imp.getStackIndex(ch, pos[0], pos[1]));
				s.addSlice("sample " + (t + 1), ip.duplicate());
			}
		ImagePlus out = new ImagePlus(title, s);
		out.setDimensions(imp.getNChannels(), 1, samples);
		out.setOpenAsHyperStack(imp.getNChannels() > 1);
		out.setCalibration(imp.getCalibration().copy());
		if (imp.isComposite()) {
			CompositeImage ci = new CompositeImage(out, ((CompositeImage) imp).getMode());
			ci.setLuts(((CompositeImage) imp).getLuts());
			return ci;
		}
		if (imp.getBitDepth() != 24) out.setDisplayRange(imp.getDisplayRangeMin(), imp.getDisplayRangeMax());
		return out;
	}

	/** The processor of model channel {@code k} of sample {@code sample} in a {@link #samples} stack. */
	static ImageProcessor samplePlane(ImagePlus samples, ImagePlus src, int k, int sample) {
		int per = src.getBitDepth() == 24 ? 3 : 1;
		return samples.getStack().getProcessor(samples.getStackIndex(k / per + 1, 1, sample + 1));
	}

	/**
	 * The per-pixel standard deviation of several samples as a 32-bit image: {@code planes} in channel order
	 * ({@code channels} per position), the result's calibration without its density calibration, and the
	 * provenance with a line saying what the image holds.
	 */
	static ImagePlus std(List<FloatProcessor> planes, int channels, int slices, int frames, String title,
		Calibration calibration, String provenance, String what)
	{
		ImageStack s = new ImageStack(planes.get(0).getWidth(), planes.get(0).getHeight());
		for (int i = 0; i < planes.size(); i++)
			s.addSlice(planes.size() == channels ? "std " + (i + 1) : null, planes.get(i));
		ImagePlus out = new ImagePlus(title, s);
		if (s.getSize() > 1) out.setDimensions(channels, slices, frames);
		out.setCalibration(calibration.copy());
		out.getCalibration().disableDensityCalibration();
		out.resetDisplayRange();
		out.setProperty("Info", provenance + "this image: per-pixel standard deviation over the " + what + "\n");
		return out;
	}
}
