package org.ldmfiji.model;

import ai.djl.ndarray.types.Shape;

import com.sun.jna.Function;
import com.sun.jna.Pointer;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;

/**
 * Guards CPU forwards against convolutions that DJL's libtorch 2.7.1 (oneDNN 3.7.1) computes wrongly: those whose
 * input has more channels than one of oneDNN's channel blocks and is not a whole number of blocks. The block is 16
 * on AVX-512 CPUs (wrong: 17-31, 33, 40, 72, 100 channels; the demo inpainting U-Net's first convolution, 8 + 8 + 1 =
 * 17, as exported before 2026-12-05) and 8 on AVX2 ones (also 9-15: the demo super-resolution's 8 + 1 = 9, Stable
 * Diffusion inpainting's 4 + 4 + 1). The output is off by 4-12 % of its range on AVX-512 (a 17-channel 3x3
 * convolution: 0.24 of 4.8; the demo U-Net 0.20 of 7.6, measured against libtorch's own convolution and PyTorch
 * 1.13), up to 25 % with oneDNN limited to AVX2, and NaN where the padding's new memory held NaN bytes
 * (RgbDeterminismTest: 3 of 30 two-sample fills). Convolutions of at most one block or whole blocks agree to 1e-6.
 * libtorch takes oneDNN for batches of two or more and for inputs above 20480 values ({@code ConvParams::use_mkldnn}),
 * so it hit every multi-sample or batched-tile run and every window above 34² latent pixels.
 * <p>
 * The exporter pads inputs of more than 8 channels to a multiple of 16 inside the part (models/ldm_models/export.py
 * {@code block_padding}; older bundles: models/pad_input_channels.py), so the bundles it writes have none. A CPU part
 * that still has one for this CPU's block ({@link #paddedConvolution}, from its weights' shapes) turns oneDNN off for
 * the process ({@code at::globalContext().setUserEnabledMkldnn(false)}, which DJL does not expose): exact results,
 * about twice the time per forward.
 */
final class OneDnnPadding {

	/** oneDNN's float32 channel block on AVX-512 CPUs; half of it on the others. */
	static final int BLOCK = 16;
	/** The variables that limit oneDNN's instruction set (oneDNN reads either). */
	static final String[] ISA_VARIABLES = {"ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"};
	/** {@code at::globalContext()}, {@code at::Context::setUserEnabledMkldnn(bool)} and {@code userEnabledMkldnn()}
	 * (Itanium C++ ABI: Linux and macOS). */
	static final String CONTEXT = "_ZN2at13globalContextEv", SET = "_ZN2at7Context20setUserEnabledMkldnnEb",
		GET = "_ZNK2at7Context17userEnabledMkldnnEv";

	private OneDnnPadding() {}

	/**
	 * The first convolution weight [out, in, kh, kw] whose input oneDNN pads with {@code block}-channel blocks (in &gt;
	 * block and not a multiple of it), as "name (in input channels)", or null when there is none.
	 */
	static String paddedConvolution(Map<String, Shape> parameters, int block) {
		for (Map.Entry<String, Shape> p : parameters.entrySet()) {
			Shape s = p.getValue();
			if (s.dimension() == 4 && s.get(1) > block && s.get(1) % block != 0)
				return p.getKey() + " (" + s.get(1) + " input channels)";
		}
		return null;
	}

	/** oneDNN's channel block on this CPU ({@link #block(Path, Map)} of /proc/cpuinfo and the environment). */
	static int block() {
		return block(Paths.get("/proc/cpuinfo"), System.getenv());
	}

	/**
	 * 16 where the CPU has AVX-512 and oneDNN is not limited below it, else 8 (AVX2, and the safe choice where the CPU
	 * cannot be read).
	 */
	static int block(Path cpuinfo, Map<String, String> env) {
		for (String v : ISA_VARIABLES) {
			String isa = env.get(v);
			if (isa != null && !isa.toUpperCase(Locale.ROOT).startsWith("AVX512") && !isa.equalsIgnoreCase("ALL"))
				return BLOCK / 2;
		}
		return CpuFlags.has(cpuinfo, "avx512f") ? BLOCK : BLOCK / 2;
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
