package org.ldmfiji.model;

import ai.djl.ndarray.types.Shape;

import com.sun.jna.Function;
import com.sun.jna.Pointer;

import java.util.Map;

/**
 * Guards CPU forwards against convolutions that DJL's libtorch 2.7.1 (oneDNN 3.7.1) computes wrongly: those whose
 * input has more than 16 channels, not a multiple of 16, such as the first of the demo inpainting U-Net as exported
 * before 2026-12-05 (8 + 8 + 1 = 17 channels). oneDNN computes them in its 16-channel blocked layout, and the output
 * is off by 4-12 % of its range (a 17-channel 3x3 convolution: 0.24 of 4.8; the demo U-Net 0.20 of 7.6, measured
 * against libtorch's own convolution and PyTorch 1.13) and NaN where the padding's new memory held NaN bytes
 * (RgbDeterminismTest: 3 of 30 two-sample fills). Convolutions of 1-16, 32, 48, 96 or 320 channels agree to 1e-6.
 * libtorch takes oneDNN for batches of two or more and for inputs above 20480 values ({@code ConvParams::use_mkldnn}),
 * so it hit every multi-sample or batched-tile run and every window above 34² latent pixels.
 * <p>
 * The exporter pads such inputs to whole blocks inside the part (models/ldm_models/export.py {@code block_padding};
 * older bundles: models/pad_input_channels.py), so the bundles it writes have none. A CPU part that still has one
 * ({@link #paddedConvolution}, from its weights' shapes) turns oneDNN off for the process
 * ({@code at::globalContext().setUserEnabledMkldnn(false)}, which DJL does not expose): exact results, about twice
 * the time per forward.
 */
final class OneDnnPadding {

	/** oneDNN's channel block for float32 on AVX-512 and AVX2. */
	static final int BLOCK = 16;
	/** {@code at::globalContext()}, {@code at::Context::setUserEnabledMkldnn(bool)} and {@code userEnabledMkldnn()}
	 * (Itanium C++ ABI: Linux and macOS). */
	static final String CONTEXT = "_ZN2at13globalContextEv", SET = "_ZN2at7Context20setUserEnabledMkldnnEb",
		GET = "_ZNK2at7Context17userEnabledMkldnnEv";

	private OneDnnPadding() {}

	/**
	 * The first convolution weight [out, in, kh, kw] whose input oneDNN pads (in &gt; 16 and not a multiple of 16), as
	 * "name (in input channels)", or null when there is none.
	 */
	static String paddedConvolution(Map<String, Shape> parameters) {
		for (Map.Entry<String, Shape> p : parameters.entrySet()) {
			Shape s = p.getValue();
			if (s.dimension() == 4 && s.get(1) > BLOCK && s.get(1) % BLOCK != 0)
				return p.getKey() + " (" + s.get(1) + " input channels)";
		}
		return null;
	}

	/**
	 * Turns libtorch's use of oneDNN on or off for the whole process; false where the switch cannot be reached
	 * (another libtorch build or platform). Throws a LinkageError without JNA.
	 */
	static boolean setEnabled(String libtorchDir, boolean enabled) {
		Pointer context = context(libtorchDir);
		Function set = LibtorchSymbols.torchCpuFunction(libtorchDir, SET);
		if (context == null || set == null) return false;
		set.invokeVoid(new Object[] {context, enabled});
		return enabled(libtorchDir) == enabled;
	}

	/** Whether libtorch may use oneDNN now (true where the switch cannot be read: libtorch's default). */
	static boolean enabled(String libtorchDir) {
		Pointer context = context(libtorchDir);
		Function get = LibtorchSymbols.torchCpuFunction(libtorchDir, GET);
		return context == null || get == null || (get.invokeInt(new Object[] {context}) & 0xff) != 0;
	}

	private static Pointer context(String libtorchDir) {
		Function f = LibtorchSymbols.torchCpuFunction(libtorchDir, CONTEXT);
		return f == null ? null : f.invokePointer(new Object[0]);
	}
}
