package org.ldmfiji.model;

import com.google.gson.JsonObject;

import org.ldmfiji.diffusion.NoiseSchedule;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The parsed {@code model.json} of a bundle: the single source of truth for schedule, scale factors,
 * channel order and conditioning layout (format described in {@code models/README.md}).
 * <p>
 * Every number is checked against a range before anything is sized by it (issue #16). The ranges hold every real
 * latent diffusion model with room to spare: CompVis LDMs and Stable Diffusion 1 to XL have f = 4 or 8, 3 to 16
 * latent channels, 256 to 1024 px native size, 1000 timesteps, a latent multiple of 8, CLIP contexts of 77 × 768 to
 * 2048 and up to 1000 class labels.
 */
public final class Manifest {

	public static final String FILE_NAME = "model.json";
	public static final int FORMAT_VERSION = 1;

	/** The tasks a bundle may offer a denoiser for. */
	public static final List<String> TASKS = List.of("inpaint", "superres", "unconditional");

	/** The bundle folder's real path. */
	public final Path folder;
	private final BundleFolder bundle;
	public final String name;
	public final String description;
	public final String license;
	public final String citation;
	public final int imageChannels;
	/** The model's image value range, usually [-1, 1]. */
	public final double[] imageRange;
	public final Autoencoder autoencoder;
	public final NoiseSchedule schedule;
	public final Map<String, DenoiserSpec> denoisers;
	/** Raw {@code data} and {@code provenance} objects, for display. */
	public final JsonObject data, provenance;
	/**
	 * The parts' weights and arithmetic: {@code float32} (default), or {@code float16}/{@code bfloat16} for a
	 * half-precision variant (models/ldm_models/half.py). Every part still takes and returns float32: the casts are
	 * inside the TorchScript file, since DJL 0.36 cannot hold bfloat16 tensors (its {@code toType} aborts the JVM).
	 */
	public final String dtype;

	/** The values {@code dtype} may take. */
	public static final List<String> DTYPES = List.of("float32", "float16", "bfloat16");

	private Manifest(BundleFolder bundle, JsonFields root) {
		this.bundle = bundle;
		this.folder = bundle.path();
		int version = root.integer("format_version", 1, 1000);
		if (version != FORMAT_VERSION) throw root.error("format_version", "is " + version
			+ " but this plugin reads format " + FORMAT_VERSION + ": update the plugin or re-export the bundle");
		name = root.name("name");
		description = root.string("description", "");
		license = root.string("license", "unknown");
		citation = root.string("citation", "");
		JsonFields image = root.object("image");
		imageChannels = image.integer("channels", 1, 64);
		imageRange = image.range("range", MAX_VALUE);
		autoencoder = new Autoencoder(root.object("autoencoder"));
		JsonFields s = root.object("schedule");
		try {
			// β ≤ 0.999, the cosine schedule's own clamp; T from 2 (the schedule needs two) to 10 000
			schedule = NoiseSchedule.of(s.name("beta_schedule"), s.number("linear_start", 0, 0, 0.999),
				s.number("linear_end", 0, 0, 0.999), s.integer("timesteps", 2, 10_000), s.number("cosine_s", 8e-3, 0, 1));
		}
		catch (IllegalArgumentException e) {
			throw new BundleException(root.error("schedule", "is invalid").getMessage() + ": " + e.getMessage(), e);
		}
		JsonFields d = root.object("denoisers");
		Map<String, DenoiserSpec> map = new LinkedHashMap<>();
		for (String key : d.raw().keySet()) {
			if (!TASKS.contains(key)) throw d.error(key, "is not a known task: use one of " + TASKS);
			map.put(key, new DenoiserSpec(key, d.object(key), autoencoder));
		}
		if (map.isEmpty()) throw root.error("denoisers", "declares no denoiser");
		denoisers = Collections.unmodifiableMap(map);
		data = root.has("data") ? root.object("data").raw() : new JsonObject();
		provenance = root.has("provenance") ? root.object("provenance").raw() : new JsonObject();
		dtype = root.string("dtype", "float32");
		if (!DTYPES.contains(dtype)) throw root.error("dtype", "is '" + dtype + "': use one of " + DTYPES);
	}

	/**
	 * Reads {@code folder/model.json}: a plain file inside the folder (by real path), at most 1 MiB, strict JSON
	 * nested at most 64 deep ({@link ManifestJson}), every field in its range.
	 */
	public static Manifest read(Path folder) {
		BundleFolder bundle = BundleFolder.of(folder);
		Path file = bundle.file(FILE_NAME, "bundle " + folder);
		return new Manifest(bundle, new JsonFields(ManifestJson.read(file), "$", file.toString()));
	}

	/**
	 * The real path of a file the manifest names, resolved again on every call: a plain file inside the bundle
	 * folder, else a BundleException (missing, or a link that leaves the folder).
	 */
	public Path path(FileRef ref) {
		return bundle.file(ref.file, "model '" + name + "'");
	}

	/** Largest magnitude of a value range or fill value: image ranges are about 1, raw 16-bit data 65535. */
	static final double MAX_VALUE = 1e6;

	/** The denoiser for a task, or an error that lists the tasks this bundle has. */
	public DenoiserSpec denoiser(String task) {
		DenoiserSpec spec = denoisers.get(task);
		if (spec == null) throw new BundleException("model '" + name + "' has no '" + task + "' denoiser; it offers "
			+ denoisers.keySet() + ". Choose a model that does " + task + ".");
		return spec;
	}

	/** A file of the bundle with its expected SHA-256. */
	public static final class FileRef {

		private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
		/**
		 * models/model.schema.json: a plain file name, or up to four such names joined by '/' (a text context's
		 * {@code tokenizer/vocab.json}), so that no path can leave the bundle folder.
		 */
		private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}"
			+ "(/[A-Za-z0-9_][A-Za-z0-9._-]{0,254}){0,3}");

		public final String file;
		public final String sha256;

		FileRef(JsonFields f) {
			file = f.string("file");
			sha256 = f.string("sha256").toLowerCase(Locale.ROOT);
			if (!FILE_NAME.matcher(file).matches() || file.contains("..")) throw f.error("file", "must be a file name "
				+ "inside the bundle folder (letters, digits, '.', '_', '-'; '/' only between names; no '..'), got " + JsonFields.quote(file, '\''));
			if (!HEX64.matcher(sha256).matches()) throw f.error("sha256", "must be 64 hex digits");
		}
	}

	/** The first stage: E maps H×W to (H/f)×(W/f)×c, D maps back. */
	public static final class Autoencoder {

		public final boolean vq;
		public final FileRef encoder, decoder;
		public final int factor;
		public final int latentChannels;
		/** z_diffusion = scaleFactor · E(x); D receives z_diffusion / scaleFactor. */
		public final double scaleFactor;
		public final boolean decodeQuantizes;

		Autoencoder(JsonFields a) {
			String type = a.name("type");
			if (!type.equals("kl") && !type.equals("vq")) throw a.error("type", "must be \"kl\" or \"vq\", got \"" + type + "\"");
			vq = type.equals("vq");
			encoder = new FileRef(a.object("encoder"));
			decoder = new FileRef(a.object("decoder"));
			factor = a.integer("downsampling_factor", 1, 64);
			if (Integer.bitCount(factor) != 1) throw a.error("downsampling_factor", "must be 1, 2, 4, 8, 16, 32 or 64, got "
				+ factor);
			latentChannels = a.integer("latent_channels", 1, 256);
			scaleFactor = a.number("scale_factor", 1.0);
			if (!(scaleFactor > 0 && scaleFactor <= 1e4)) throw a.error("scale_factor", "must be a number greater than 0 "
				+ "and at most 10000, got " + a.literal("scale_factor"));
			decodeQuantizes = a.bool("decode_quantizes", false);
		}
	}

	/** One named group of the denoiser's concatenated input channels. */
	public static final class InputSpec {

		public static final String NOISY_LATENT = "noisy_latent";
		public static final String MASKED_IMAGE_LATENT = "masked_image_latent";
		public static final String MASK = "mask";
		public static final String LOW_RES_IMAGE = "low_res_image";
		static final List<String> NAMES = List.of(NOISY_LATENT, MASKED_IMAGE_LATENT, MASK, LOW_RES_IMAGE);

		public final String name;
		public final int channels;
		/** How a pixel-space input is resized to the latent grid ("nearest", "area"), or null. */
		public final String resize;
		/** The value range the input is mapped to, or null for latents. */
		public final double[] range;
		/** For masked_image_latent: the value fill pixels get before encoding; NaN: the low end of image.range. */
		public final double maskedValue;

		InputSpec(JsonFields f) {
			name = f.name("name");
			if (!NAMES.contains(name)) throw f.error("name", "'" + name + "' is not a known input: use one of " + NAMES);
			channels = f.integer("channels", 1, 1024);
			resize = f.name("resize", null);
			range = f.has("range") ? f.range("range", MAX_VALUE) : null;
			maskedValue = f.number("masked_value", Double.NaN, -MAX_VALUE, MAX_VALUE);
		}
	}

	/**
	 * Cross-attention context τθ(y): either a label vocabulary ({@code labels}, {@code null_label}) or a text prompt
	 * ({@code text}: a CLIP tokenizer's files and settings, {@code null_prompt}) embedded by the encoder into
	 * [tokens x dim] (Rombach et al. 2022, sec. 3.3).
	 */
	public static final class ContextSpec {

		/** The longest prompt a user may type (CLIP reads at most 77 tokens of it). */
		public static final int MAX_PROMPT_CHARS = 4096;

		public final FileRef encoder;
		/** The labels of a label context; empty for a text context. */
		public final List<String> labels;
		public final String nullLabel;
		/** The tokenizer of a text context, else null. */
		public final TextSpec text;
		/** The prompt of the unconditional context (classifier-free guidance) of a text context, else null. */
		public final String nullPrompt;
		public final int tokens, dim;

		ContextSpec(JsonFields f) {
			encoder = new FileRef(f.object("encoder"));
			if (f.has("text")) {
				if (f.has("labels") || f.has("null_label")) throw f.error("text", "and labels/null_label exclude each "
					+ "other: a context is either a text prompt or a label");
				text = new TextSpec(f.object("text"));
				nullPrompt = f.string("null_prompt", "");
				if (nullPrompt.length() > MAX_PROMPT_CHARS) throw f.error("null_prompt", "must have at most "
					+ MAX_PROMPT_CHARS + " characters, got " + nullPrompt.length());
				labels = List.of();
				nullLabel = null;
			}
			else {
				text = null;
				nullPrompt = null;
				labels = List.copyOf(f.names("labels", 100_000));
				nullLabel = f.name("null_label", null);
				if (nullLabel != null && !labels.contains(nullLabel))
					throw f.error("null_label", "'" + nullLabel + "' is not one of the labels " + labels);
			}
			tokens = f.integer("tokens", 1, 4096);
			dim = f.integer("dim", 1, 16_384);
		}

		/** Whether the context is a text prompt (else a label). */
		public boolean takesText() {
			return text != null;
		}

		/** The index of a label, or an error listing the valid ones. */
		public int index(String label) {
			if (text != null) throw new IllegalArgumentException("this model is conditioned on a text prompt, not a "
				+ "label: give a prompt instead of a label");
			int i = labels.indexOf(label);
			if (i < 0) throw new IllegalArgumentException("unknown label '" + label + "': this model knows " + labels);
			return i;
		}
	}

	/** A text context's tokenizer: CLIP's byte-level BPE with its files and special tokens ({@link ClipTokenizer}). */
	public static final class TextSpec {

		public static final String CLIP_BPE = "clip-bpe";
		/** CLIP reads 77 tokens; longer contexts exist (up to a few hundred), not millions. */
		static final int MAX_TOKENS = 1024;

		public final FileRef vocab, merges;
		public final int maxTokens, startToken, endToken, padToken;
		public final boolean lowercase;

		TextSpec(JsonFields f) {
			String tokenizer = f.name("tokenizer");
			if (!tokenizer.equals(CLIP_BPE)) throw f.error("tokenizer", "is '" + JsonFields.quote(tokenizer, ' ')
				+ "' but this plugin reads only \"" + CLIP_BPE + "\" (CLIP's byte-level BPE)");
			vocab = new FileRef(f.object("vocab"));
			merges = new FileRef(f.object("merges"));
			maxTokens = f.integer("max_tokens", 2, MAX_TOKENS);
			startToken = f.integer("start_token", 0, ClipTokenizer.MAX_ID);
			endToken = f.integer("end_token", 0, ClipTokenizer.MAX_ID);
			padToken = f.integer("pad_token", 0, ClipTokenizer.MAX_ID);
			lowercase = f.bool("lowercase", true);
		}
	}

	/** The ε- (or v-) model of one task and the layout of its inputs. */
	public static final class DenoiserSpec {

		public final String task;
		public final FileRef file;
		/** true for v-prediction, false for ε-prediction. */
		public final boolean predictsV;
		/** Training size of the output image, in pixels. */
		public final int nativeSize;
		/** Latent sides must be multiples of this. */
		public final int latentMultiple;
		public final List<InputSpec> inputs;
		/** Optional cross-attention context, else null. */
		public final ContextSpec context;

		/** Largest latent_multiple · downsampling_factor: the side in pixels of the one-forward check. */
		static final int MAX_CHECK_SIDE = 512;

		DenoiserSpec(String task, JsonFields f, Autoencoder autoencoder) {
			this.task = task;
			int latentChannels = autoencoder.latentChannels;
			file = new FileRef(f);
			String prediction = f.name("prediction");
			if (!prediction.equals("eps") && !prediction.equals("v")) throw f.error("prediction", "must be \"eps\" or \"v\"");
			predictsV = prediction.equals("v");
			nativeSize = f.integer("native_size", 1, 4096);
			latentMultiple = f.integer("latent_multiple", 1, 64);
			if (latentMultiple * autoencoder.factor > MAX_CHECK_SIDE) throw f.error("latent_multiple", "is "
				+ latentMultiple + " x downsampling_factor " + autoencoder.factor + " = " + latentMultiple * autoencoder.factor
				+ " px, but the product must be at most " + MAX_CHECK_SIDE + " px");
			inputs = List.copyOf(f.objects("inputs").stream().map(InputSpec::new).collect(Collectors.toList()));
			long noisy = inputs.stream().filter(i -> i.name.equals(InputSpec.NOISY_LATENT)).count();
			if (noisy != 1) throw f.error("inputs", "must contain noisy_latent exactly once");
			if (inputs.stream().map(i -> i.name).distinct().count() != inputs.size())
				throw f.error("inputs", "must name each input once");
			for (InputSpec in : inputs) {
				boolean latent = in.name.endsWith("_latent");
				if (latent && in.channels != latentChannels) throw f.error("inputs", "declares " + in.name + " with "
					+ in.channels + " channels but the autoencoder's latent has " + latentChannels);
			}
			context = f.has("context") ? new ContextSpec(f.object("context")) : null;
		}

		/** C_in: the summed channels of all inputs. */
		public int inputChannels() {
			return inputs.stream().mapToInt(i -> i.channels).sum();
		}

		/** Whether the denoiser takes an input of this name. */
		public boolean takes(String inputName) {
			return inputs.stream().anyMatch(i -> i.name.equals(inputName));
		}
	}
}
