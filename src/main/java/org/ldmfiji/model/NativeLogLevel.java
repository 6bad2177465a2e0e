package org.ldmfiji.model;

import com.sun.jna.Pointer;

import java.util.Locale;

/**
 * The minimum severity of libtorch's own C++ log lines (c10's {@code FLAGS_caffe2_log_level}: 0 INFO, 1 WARNING,
 * 2 ERROR, 3 FATAL), raised to ERROR once the engine is loaded.
 * <p>
 * Why: in libtorch 2.7.1, {@code at::native::_nnpack_available()} logs {@code Could not initialize NNPACK! Reason:
 * Unsupported hardware.} at WARNING on every call where NNPACK cannot start (CPUs without AVX2/FMA3 or without
 * the cache information NNPACK asks for, as in many VMs), and the CPU convolution's backend choice
 * ({@code ConvParams::use_nnpack} in aten/src/ATen/native/Convolution.cpp) calls it for every convolution that does
 * not take oneDNN (1×1 kernels on one thread, small inputs of batch 1): 176 lines for a
 * two-step 64×64 inpainting. The CPU fallback it takes instead is correct; the warning carries nothing for a user.
 * libtorch reads {@code TORCH_CPP_LOG_LEVEL} only when Python's torch calls {@code c10::initLogging()}, so the
 * variable does nothing under DJL; here it is honoured: when set (INFO, WARNING, ERROR, FATAL or 0 to 3), that
 * level is used instead of ERROR. DJL exposes no switch for either (its JNI has none), so the flag is set through
 * JNA ({@link LibtorchSymbols}); where it cannot be found, nothing changes.
 */
final class NativeLogLevel {

	/** c10's {@code GLOG_ERROR}. */
	static final int ERROR = 2;
	static final String VARIABLE = "TORCH_CPP_LOG_LEVEL";
	private static final String FLAG = "FLAGS_caffe2_log_level";

	private NativeLogLevel() {}

	/** Sets the level for the libtorch in {@code libtorchDir} (DJL's {@code LibUtils.getLibtorchPath()}). */
	static void apply(String libtorchDir) {
		Pointer flag = flag(libtorchDir);
		if (flag != null) flag.setInt(0, level(System.getenv(VARIABLE)));
	}

	/** The level currently in force, or -1 where the flag cannot be found. */
	static int current(String libtorchDir) {
		Pointer flag = flag(libtorchDir);
		return flag == null ? -1 : flag.getInt(0);
	}

	/** The level for a value of {@code TORCH_CPP_LOG_LEVEL} (c10's names or numbers); ERROR when unset or unknown. */
	static int level(String variable) {
		if (variable == null) return ERROR;
		switch (variable.trim().toUpperCase(Locale.ROOT)) {
			case "0": case "INFO": return 0;
			case "1": case "WARNING": return 1;
			case "2": case "ERROR": return 2;
			case "3": case "FATAL": return 3;
			default: return ERROR;
		}
	}

	private static Pointer flag(String libtorchDir) {
		return LibtorchSymbols.c10Flag(libtorchDir, FLAG);
	}
}
