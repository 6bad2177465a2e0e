package org.ldmfiji.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.ldmfiji.diffusion.NoiseSchedule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 */
public final class Manifest {

	public static final String FILE_NAME = "model.json";
	public static final int FORMAT_VERSION = 1;

	/** The tasks a bundle may offer a denoiser for. */
	public static final List<String> TASKS = List.of("inpaint", "superres", "unconditional");

	public final Path folder;
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

	private Manifest(Path folder, JsonFields root) {
		this.folder = folder;
		int version = root.positiveInt("format_version");
		if (version != FORMAT_VERSION) throw root.error("format_version", "is " + version
			+ " but this plugin reads format " + FORMAT_VERSION + ": update the plugin or re-export the bundle");
		name = root.string("name");
		description = root.string("description", "");
		license = root.string("license", "unknown");
		citation = root.string("citation", "");
		JsonFields image = root.object("image");
		imageChannels = image.positiveInt("channels");
		imageRange = image.range("range");
		autoencoder = new Autoencoder(root.object("autoencoder"));
		JsonFields s = root.object("schedule");
		try {
			schedule = NoiseSchedule.of(s.string("beta_schedule"), s.number("linear_start", 0), s.number("linear_end", 0),
				s.positiveInt("timesteps"), s.number("cosine_s", 8e-3));
		}
		catch (IllegalArgumentException e) {
			throw new BundleException(root.error("schedule", "is invalid").getMessage() + ": " + e.getMessage(), e);
		}
		JsonFields d = root.object("denoisers");
		Map<String, DenoiserSpec> map = new LinkedHashMap<>();
		for (String key : d.raw().keySet()) {
			if (!TASKS.contains(key)) throw d.error(key, "is not a known task: use one of " + TASKS);
			map.put(key, new DenoiserSpec(key, d.object(key), autoencoder.latentChannels, imageChannels));
		}
		if (map.isEmpty()) throw root.error("denoisers", "declares no denoiser");
		denoisers = Collections.unmodifiableMap(map);
		data = root.has("data") ? root.object("data").raw() : new JsonObject();
		provenance = root.has("provenance") ? root.object("provenance").raw() : new JsonObject();
	}

	/** Reads {@code folder/model.json}. */
	public static Manifest read(Path folder) {
		Path file = folder.resolve(FILE_NAME);
		if (!Files.isRegularFile(file)) throw new BundleException("no " + FILE_NAME + " in " + folder
			+ ": a model bundle is a folder with model.json and its TorchScript files (see models/README.md)");
		JsonObject root;
		try {
			root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
		}
		catch (IOException | JsonParseException | IllegalStateException e) {
			throw new BundleException(file + " is not valid JSON (" + e.getMessage()
				+ "): re-export the bundle with models/ldm_models/export.py", e);
		}
		return new Manifest(folder, new JsonFields(root, "$", file.toString()));
	}

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

		public final String file;
		public final String sha256;

		FileRef(JsonFields f) {
			file = f.string("file");
			sha256 = f.string("sha256").toLowerCase(Locale.ROOT);
			if (file.contains("..") || file.startsWith("/")) throw f.error("file", "must be a file name inside the bundle folder");
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
			String type = a.string("type");
			if (!type.equals("kl") && !type.equals("vq")) throw a.error("type", "must be \"kl\" or \"vq\", got \"" + type + "\"");
			vq = type.equals("vq");
			encoder = new FileRef(a.object("encoder"));
			decoder = new FileRef(a.object("decoder"));
			factor = a.positiveInt("downsampling_factor");
			latentChannels = a.positiveInt("latent_channels");
			scaleFactor = a.number("scale_factor", 1.0);
			if (!(scaleFactor > 0)) throw a.error("scale_factor", "must be > 0");
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
			name = f.string("name");
			if (!NAMES.contains(name)) throw f.error("name", "'" + name + "' is not a known input: use one of " + NAMES);
			channels = f.positiveInt("channels");
			resize = f.string("resize", null);
			range = f.has("range") ? f.range("range") : null;
			maskedValue = f.number("masked_value", Double.NaN);
		}
	}

	/** Cross-attention context: a label vocabulary embedded by tau. */
	public static final class ContextSpec {

		public final FileRef encoder;
		public final List<String> labels;
		public final String nullLabel;
		public final int tokens, dim;

		ContextSpec(JsonFields f) {
			encoder = new FileRef(f.object("encoder"));
			labels = List.copyOf(f.strings("labels"));
			nullLabel = f.string("null_label", null);
			if (nullLabel != null && !labels.contains(nullLabel))
				throw f.error("null_label", "'" + nullLabel + "' is not one of the labels " + labels);
			tokens = f.positiveInt("tokens");
			dim = f.positiveInt("dim");
		}

		/** The index of a label, or an error listing the valid ones. */
		public int index(String label) {
			int i = labels.indexOf(label);
			if (i < 0) throw new IllegalArgumentException("unknown label '" + label + "': this model knows " + labels);
			return i;
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

		DenoiserSpec(String task, JsonFields f, int latentChannels, int imageChannels) {
			this.task = task;
			file = new FileRef(f);
			String prediction = f.string("prediction");
			if (!prediction.equals("eps") && !prediction.equals("v")) throw f.error("prediction", "must be \"eps\" or \"v\"");
			predictsV = prediction.equals("v");
			nativeSize = f.positiveInt("native_size");
			latentMultiple = f.positiveInt("latent_multiple");
			inputs = List.copyOf(f.objects("inputs").stream().map(InputSpec::new).collect(Collectors.toList()));
			long noisy = inputs.stream().filter(i -> i.name.equals(InputSpec.NOISY_LATENT)).count();
			if (noisy != 1) throw f.error("inputs", "must contain noisy_latent exactly once");
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
