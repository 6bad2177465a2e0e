package org.ldmfiji.command;

import ij.ImagePlus;
import ij.WindowManager;

import org.ldmfiji.model.BundleException;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.imagej.InpaintImage;
import org.ldmfiji.imagej.Selections;
import org.ldmfiji.task.OptionTable;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.util.concurrent.CancellationException;

/**
 * Plugins &gt; Latent Diffusion &gt; LDM Inpaint...: fills the image's selection (or a mask image's non-zero pixels)
 * with {@link InpaintImage}. Recorded as {@code run("LDM Inpaint...", "steps=20 seed=1 grow=4 strength=0.3 ...")}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Latent Diffusion>LDM Inpaint...")
public class InpaintCommand extends LdmCommand {

	@Parameter(label = "Image")
	private ImagePlus imp;

	@Parameter(label = "Mask image", required = false, persist = false, description = "Title of an open image whose non-zero pixels "
		+ "mark the region to fill; empty: the image's selection")
	private String mask = "";

	@Parameter(label = "Samples", min = "1", max = "64", description = "More than 1: the stack of fills and a std map")
	private int samples = OptionTable.SAMPLES.defaultInt();

	@Parameter(label = "Grow (px)", min = "0", max = "10000")
	private int grow = OptionTable.GROW.defaultInt();

	@Parameter(label = "Feather (px)", min = "0", max = "10000", description = "Blend band in the grow margin (the selection itself is "
		+ "always replaced)")
	private int feather = OptionTable.FEATHER.defaultInt();

	@Parameter(label = "Context (px)", min = "0", max = "10000", description = "Surrounding image the model sees around "
		+ "the mask")
	private int context = OptionTable.CONTEXT.defaultInt();

	@Parameter(label = "Strength", min = "0.01", max = "1", stepSize = "0.05", description = "1: sample from noise, "
		+ "the model's detail kept whole; less: start from the smooth continuation of the surroundings and keep closer to "
		+ "it")
	private double strength = OptionTable.STRENGTH.defaultNumber();

	@Parameter(label = "Seam", choices = {"blend", "harmonize", "correct", "hard"}, description = "blend: harmonize, "
		+ "then blend the fill's smooth part into the surroundings along the border; harmonize: decode the fill with "
		+ "the surroundings' own latents, then encode and decode the composite once more; correct: only carry the "
		+ "decoder's error at the border into the fill; hard: paste the decoded fill as it is")
	private String seam = OptionTable.SEAM.defaultText();

	@Parameter(label = "All planes", description = "Fill every plane of a stack with the same mask")
	private boolean stack = OptionTable.STACK.defaultFlag();

	@Parameter(label = "In place", persist = false, description = "Write the fill into this image instead of a new one")
	private boolean inplace = OptionTable.INPLACE.defaultFlag();

	@Parameter(label = "Guidance", min = "0", max = "30", description = "Classifier-free guidance scale (1: none; "
		+ "models that take text)")
	private double guidance = OptionTable.GUIDANCE.defaultNumber();

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus result;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus std;

	@Override
	public void run() {
		CommandProgress progress = new CommandProgress(status, this, "LDM Inpaint");
		try {
			boolean[] fill = mask == null || mask.isBlank() ? Selections.maskOf(imp) : Selections.maskOf(maskImage(), imp);
			InpaintImage.Options o = new InpaintImage.Options();
			o.sampling = sampling();
			o.samples = samples;
			o.grow = grow;
			o.feather = feather;
			o.context = context;
			o.strength = strength;
			o.seam(seam);
			o.allPlanes = stack;
			o.inPlace = inplace;
			try (ModelBundle bundle = openModel()) {
				InpaintImage.Result r = InpaintImage.run(bundle, imp, fill, o, progress);
				result = r.image;
				std = r.std;
			}
		}
		catch (CancellationException e) {
			cancel(e.getMessage());
		}
		catch (IllegalArgumentException | IllegalStateException | BundleException e) {
			cancel("LDM Inpaint: " + e.getMessage());
		}
		finally {
			progress.done();
		}
	}

	private ImagePlus maskImage() {
		ImagePlus m = WindowManager.getImage(mask);
		if (m == null) throw new IllegalArgumentException("no open image is titled '" + mask + "': give the title of the "
			+ "mask image, or leave 'mask' empty to use the selection");
		return m;
	}

	@Override
	double guidance() {
		return guidance;
	}
}
