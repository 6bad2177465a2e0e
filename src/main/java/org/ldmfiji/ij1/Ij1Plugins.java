package org.ldmfiji.ij1;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.macro.Interpreter;

import org.ldmfiji.model.BundleException;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.task.SamplingSettings;

import java.util.concurrent.CancellationException;

/** What the ImageJ 1.x entry points share: the active image, error reporting, showing results. */
final class Ij1Plugins {

	private Ij1Plugins() {}

	/** The sampler, steps and seed of a dialog built with the option table's options. */
	static SamplingSettings sampling(PluginDialog d) {
		return new SamplingSettings(SamplingSettings.SamplerKind.parse(d.string(OptionTable.SAMPLER)),
			d.integer(OptionTable.STEPS), d.longValue(OptionTable.SEED), 0);
	}

	/** The active image, or null after telling the user there is none. */
	static ImagePlus activeImage(String title) {
		ImagePlus imp = WindowManager.getCurrentImage();
		if (imp == null) fail(title, "no image is open: open or select the image first");
		return imp;
	}

	/** Runs a plugin body, turning the errors users can fix into one message (and aborting a running macro). */
	static void guarded(String title, Runnable body) {
		try {
			body.run();
		}
		catch (CancellationException e) {
			IJ.showProgress(1.0);
			IJ.showStatus(e.getMessage());
			if (Interpreter.getInstance() != null) Interpreter.abort(); // a macro must not go on as if it had a result
		}
		catch (IllegalArgumentException | IllegalStateException | BundleException e) {
			fail(title, e.getMessage());
		}
	}

	private static void fail(String title, String message) {
		IJ.showProgress(1.0);
		// no ImageJ window (headless, or "ImageJ -batch"): a modal error dialog would block the batch run forever
		if (java.awt.GraphicsEnvironment.isHeadless() || IJ.getInstance() == null) IJ.log(title + ": " + message);
		else IJ.error(title, message);
		if (Interpreter.getInstance() != null) Interpreter.abort(); // stop the macro that ran us
	}

	static void show(ImagePlus imp) {
		if (imp != null) imp.show();
	}
}
