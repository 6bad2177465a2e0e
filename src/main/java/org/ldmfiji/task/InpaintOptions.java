package org.ldmfiji.task;

/**
 * What the user chooses for inpainting, for the ImageJ job ({@code imagej.InpaintImage}, whose {@code Options} extends this
 * class) and the ImgLib2 API ({@link LatentDiffusion#inpaint}); the defaults are the options' ({@link OptionTable}).
 */
public class InpaintOptions {
	public SamplingSettings sampling = SamplingSettings.defaults();
	/** Independent fills; more than one gives the stack of fills and their per-pixel standard deviation. */
	public int samples = OptionTable.SAMPLES.defaultInt();
	/** Pixels the mask is dilated by before filling. */
	public int grow = OptionTable.GROW.defaultInt();
	/**
	 * Width in pixels of the band inside the grown mask's edge where fill and source blend; it lies in the grow
	 * margin (at most {@link #grow} wide), so the selected pixels themselves are always replaced in full.
	 */
	public int feather = OptionTable.FEATHER.defaultInt();
	/** Pixels of surrounding image the model sees around each region (rounded up to the latent grid). */
	public int context = OptionTable.CONTEXT.defaultInt();
	/** All (slice, frame) positions with the same mask, or only the current one (ImageJ images only). */
	public boolean allPlanes = OptionTable.STACK.defaultFlag();
	/** Write the fill into the source instead of a new image (one sample only; ImageJ images only). */
	public boolean inPlace = OptionTable.INPLACE.defaultFlag();
	/** 1: sample from pure noise; less: start from the harmonic first guess ({@link Inpainting}). */
	public double strength = OptionTable.STRENGTH.defaultNumber();
	/** How the fill meets the known pixels ({@link Seam}). */
	public Seam seam = Seam.parse(OptionTable.SEAM.defaultText());

	/** Sets {@link #seam} from a command's choice ({@link Seam#labels()}). */
	public InpaintOptions seam(String choice) {
		seam = Seam.parse(OptionTable.SEAM.choice(choice));
		return this;
	}

	/** Every value within its option's range ({@link OptionTable}), whichever entry point set it. */
	public void check() {
		OptionTable.SAMPLES.check(samples);
		OptionTable.GROW.check(grow);
		OptionTable.FEATHER.check(feather);
		OptionTable.CONTEXT.check(context);
		OptionTable.STRENGTH.check(strength);
	}
}
