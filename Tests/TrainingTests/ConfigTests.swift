import Foundation
import Testing
import Training

/// Expects `text` to be refused (by the parser, or with `validate` by the recording checks too)
/// with an error that contains every fragment.
func expectConfigError(_ text: String, _ fragments: [String], validate: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let config = try RunConfig.parse(text, file: "a.toml")
        if validate { try config.validateForRecording(file: "a.toml") }
        Issue.record("accepted: \(text)", sourceLocation: sourceLocation)
    } catch {
        let message = "\(error)"
        for fragment in fragments {
            #expect(message.contains(fragment), "'\(fragment)' missing from: \(message)", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Run configs")
struct ConfigTests {
    @Test("a config parses with defaults filled in, and its resolved TOML parses back to the same config")
    func roundTrip() throws {
        let text = """
        name = "warmup-adam"
        steps = 50
        [data]
        source = "gaussian_mixture"
        count = 300
        [model]
        hidden = [32]
        activation = "gelu"
        loss = "mse"
        [optimizer]
        kind = "adam"
        lr = 1e-3
        [schedule]
        warmup_steps = 10
        decay = "cosine"
        [record]
        spectrum_geometric = 2.0
        """
        let c = try RunConfig.parse(text, file: "a.toml")
        #expect(c.name == "warmup-adam" && c.steps == 50 && c.seed == 0 && c.dtype == "f32")
        #expect(c.data.source == .gaussianMixture && c.data.count == 300)
        #expect(c.model.hidden == [32] && c.model.activation == .gelu && c.model.loss == .meanSquaredError)
        #expect(c.optimizer.kind == .adam && c.optimizer.lr == 1e-3 && c.optimizer.beta1 == 0.9)
        #expect(c.schedule.decay == .cosine && c.schedule.warmupSteps == 10)
        #expect(c.record.spectrumSteps(totalSteps: 50) == [0, 1, 2, 4, 8, 16, 32, 50])
        let again = try RunConfig.parse(c.resolvedTOML, file: "resolved.toml")
        #expect(again == c)
        let json = try JSONSerialization.jsonObject(with: Data(c.resolvedJSON.utf8)) as! [String: Any]
        #expect((json["optimizer"] as! [String: Any])["kind"] as? String == "adam")
        #expect(json["steps"] as? Int == 50)
    }

    @Test("a transformer's keys parse with their defaults, and its resolved TOML parses back to the same config")
    func transformerKeys() throws {
        let c = try RunConfig.parse("[data]\nsource = \"copy\"\n[model]\nkind = \"transformer\"\nwidth = 32\nheads = 2\nlayer_norm = \"post\"\ntied_embedding = true", file: "t.toml")
        #expect(c.model.kind == "transformer" && c.model.width == 32 && c.model.heads == 2 && c.model.layers == 2)
        #expect(c.model.mlpWidth == 128 && c.model.layerNorm == .post && c.model.finalNorm == false && c.model.positional == .learned)
        #expect(c.model.tiedEmbedding && c.model.initialization == .lecunNormal)
        #expect(try RunConfig.parse(c.resolvedTOML, file: "resolved.toml") == c)
        let defaults = try RunConfig.parse("[data]\nsource = \"copy\"\n[model]\nkind = \"transformer\"", file: "t.toml")
        #expect(defaults.model.width == 64 && defaults.model.heads == 4 && defaults.model.finalNorm == true && defaults.model.layerNorm == .pre)
    }

    @Test("unknown keys, bad values and syntax errors name the file, the key and what is allowed",
          arguments: [
            ("[optimizer]\nlrr = 0.1", ["a.toml", "optimizer.lrr", "allowed in [optimizer]", "lr"]),
            ("[optimizer]\nlr = -1", ["a.toml", "optimizer.lr = -1", "> 0"]),
            ("[optimizer]\nkind = \"adagrad\"", ["optimizer.kind = \"adagrad\"", "sgd, momentum, nesterov, adam, adamw"]),
            ("[model]\nactivation = 3", ["model.activation = 3", "tanh, relu, gelu"]),
            ("stepz = 10", ["unknown key 'stepz'", "top level"]),
            ("steps = 10\nsteps = 11", ["a.toml:2", "TOML syntax error"]),
            ("[record]\ntest_every = 5", ["record.test_every", "data.test_fraction"]),
            ("[data]\nsource = \"idx\"", ["data.images", "data.labels"]),
            ("data = 3", ["'data' must be a table"]),
            ("[data]\nsource = \"copy\"\n[model]\nkind = \"transformer\"\nwidth = 30\nheads = 4", ["model.heads = 4", "does not divide model.width = 30"]),
            ("[data]\nsource = \"copy\"\n[model]\nkind = \"transformer\"\nlayer_norm = \"middle\"", ["model.layer_norm", "pre, post"]),
            ("[data]\nsource = \"copy\"\n[model]\nkind = \"transformer\"\npositional = \"rotary\"", ["model.positional", "learned, sinusoidal"]),
            ("[data]\nsource = \"copy\"\n[model]\nkind = \"transformer\"\ndropout = 0.1", ["model.dropout", "a transformer has no dropout layer"]),
            ("[data]\nsource = \"text\"\n[model]\nkind = \"mlp\"", ["data.source = \"text\" gives token sequences", "model.kind = \"mlp\"", "set model.kind = \"transformer\""]),
            ("[data]\nsource = \"sort\"\n[model]\nkind = \"cnn\"", ["model.kind = \"cnn\" would read the token ids as numbers"]),
            ("[model]\nkind = \"transformer\"", ["model.kind = \"transformer\" needs token sequences", "data.source = \"digits\" gives feature vectors"]),
            ("[model]\nkind = \"mlp\"\nheads = 2", ["model.heads"]),
            // Sequence data.
            ("[data]\nsource = \"text\"\ncontext = 0", ["a.toml", "data.context = 0", ">= 1"]),
            ("[data]\nsource = \"copy\"\ncontext = -3", ["data.context = -3", ">= 1"]),
            ("[data]\nsource = \"text\"\ncontext = 2000000", ["data.context = 2000000", "<= 1048576"]),
            ("[data]\nsource = \"text\"\ntokenizer = \"words\"", ["data.tokenizer = \"words\"", "chars, bytes"]),
            ("[data]\nsource = \"text\"\nnormalize = \"standardize\"", ["data.normalize = \"standardize\"", "token ids", "normalize = \"none\""]),
            ("[data]\nsource = \"sort\"\nnormalize = \"scale\"", ["data.normalize = \"scale\"", "remove the key"]),
            ("[data]\nsource = \"copy\"\ncontext = 7", ["data.context = 7", "even", "use 8"]),
            ("[data]\nsource = \"copy\"\nsymbols = 1", ["data.symbols = 1", ">= 2"]),
            ("[data]\nsource = \"modular_addition\"\nmodulus = 70000", ["data.modulus = 70000", "<= 65535"]),
            ("[data]\nsource = \"modular_addition\"\nsymbols = 5", ["unknown key 'data.symbols'", "modulus"]),
            ("[data]\nsource = \"text\"\ncount = -1", ["data.count = -1", ">= 0"]),
            ("[data]\nsource = \"copy\"\ncount = 0", ["data.count = 0", ">= 1"]),
            ("[data]\nsource = \"text\"\npath = \"a.txt\"\nfiles = [\"b.txt\"]", ["data.path", "data.files", "not both"]),
            ("[data]\ncontext = 8", ["unknown key 'data.context'", "allowed in [data]"]),
            ("[data]\nsource = \"gaussian_mixture\"\ntokenizer = \"chars\"", ["unknown key 'data.tokenizer'"]),
          ])
    func errors(text: String, fragments: [String]) {
        expectConfigError(text, fragments)
    }

    @Test("schedules, step counts and sizes that trapped, hung or overflowed are errors naming the key or the estimate",
          arguments: [
            ("[record]\ncheckpoint_geometric = 1e19", ["a.toml", "record.checkpoint_geometric = 1e+19", "1.01 to 1000000"]),
            ("[record]\nspectrum_geometric = 1e300", ["record.spectrum_geometric = 1e+300", "1.01 to 1000000"]),
            ("[record]\ncheckpoint_geometric = 1.0000000001", ["record.checkpoint_geometric", "close to 1"]),
            ("[record]\nspectrum_geometric = 0.5", ["record.spectrum_geometric = 0.5", "0 (off)"]),
            ("steps = 9223372036854775807", ["steps = 9223372036854775807", "<= 1000000000"]),
            ("steps = 100\n[record]\ncheckpoint_at = [0, 50, 200, 300]", ["record.checkpoint_at", "steps 200, 300 beyond steps = 100"]),
            ("steps = 100\n[record]\nspectrum_at = [101]", ["record.spectrum_at", "step 101 beyond steps = 100"]),
            ("[data]\nsource = \"gaussian_mixture\"\n[model]\nhidden = [4000000000, 4000000000]", ["a.toml", "64-bit"]),
            ("[data]\nsource = \"idx\"\nimages = \"x\"\nlabels = \"y\"\n[model]\nhidden = [100000, 100000]", ["a.toml", "needs about", "TB of memory", "this machine has"]),
            ("[data]\nsource = \"gaussian_mixture\"\ncount = 100000000\ndimension = 1000", ["a.toml", "100000000 examples of 1000 features", "needs about"]),
            ("[data]\nsource = \"teacher_student\"\nteacher_widths = [4000000000, 4000000000, 1]", ["data.teacher_widths", "overflows"]),
            ("[data]\nsource = \"modular_addition\"\ncount = 100000000\ncontext = 1024\nmodulus = 997\n[model]\nwidth = 8\nheads = 2",
             ["a.toml", "100000000 examples of 1024 features", "needs about"]),
          ])
    func limits(text: String, fragments: [String]) {
        expectConfigError(text, fragments, validate: true)
    }

    @Test("a NUL byte is refused with its line and column, not read as the end of the file")
    func nulByte() {
        // TOMLKit reads C strings: before the fix the text after the NUL vanished, lr = -1 with it.
        errors(text: "steps = 5\n# cut \0 here\n[optimizer]\nlr = -1\n", fragments: ["a.toml:2:7", "NUL byte"])
    }

    @Test("geometric schedules are computed without overflow up to the largest step count")
    func geometricSchedule() throws {
        var c = try RunConfig.parse("steps = 1000000000\n[record]\ncheckpoint_geometric = 1000000.0\nspectrum_geometric = 1.01", file: "a.toml")
        #expect(c.checkpointSteps == [0, 1, 1_000_000, 1_000_000_000])
        #expect(c.spectrumSteps.count < 3000 && c.spectrumSteps.last == 1_000_000_000)
        c.steps = 10
        #expect(c.checkpointSteps == [0, 1, 10])
    }

    @Test("--steps below scheduled checkpoints and spectra says what is dropped")
    func overridingSteps() throws {
        let c = try RunConfig.parse("steps = 100\n[record]\ncheckpoint_at = [0, 50, 100]\nspectrum_geometric = 2.0", file: "a.toml")
        let (shorter, dropped) = c.overridingSteps(40)
        #expect(shorter.steps == 40 && shorter.checkpointSteps == [0] && shorter.record.checkpointAt == [0])
        #expect(dropped.count == 2)
        #expect(dropped.first?.contains("checkpoints at steps 50, 100 are past step 40") == true, "\(dropped)")
        #expect(dropped.last?.contains("spectra at steps 64, 100") == true, "\(dropped)")
        #expect(c.overridingSteps(200).dropped.isEmpty)
    }

    @Test("parameter counts: exact when they fit, nil when they overflow Int")
    func parameterCount() {
        #expect(RunConfig.parameterCount(widths: [64, 64, 10]) == 65 * 64 + 65 * 10)
        #expect(RunConfig.parameterCount(widths: [4, 4_000_000_000, 4_000_000_000, 3]) == nil)
        #expect(RunConfig.parameterCount(widths: [Int.max, 1]) == nil)
    }

    @Test("a missing config file is an error naming it")
    func missingFile() {
        #expect(throws: ConfigError.self) { try RunConfig.load("/nonexistent/run.toml") }
    }
}

@Suite("Config data paths")
struct ConfigDataPathTests {
    @Test("RunConfig.load reads relative data paths from the config file's folder, expands ~, and keeps absolute ones")
    func relativeToTheConfig() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-paths-\(UUID().uuidString)/sub")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let folder = dir.standardizedFileURL.path, parent = dir.deletingLastPathComponent().standardizedFileURL.path
        let cases: [(String, (RunConfig) -> [String], [String])] = [
            ("source = \"csv\"\npath = \"../x.csv\"\nlabel_column = 0", { [$0.data.path] }, ["\(parent)/x.csv"]),
            ("source = \"idx\"\nimages = \"./i.idx\"\nlabels = \"/abs/l.idx\"", { [$0.data.images, $0.data.labels] }, ["\(folder)/i.idx", "/abs/l.idx"]),
            ("source = \"cifar10\"\nfiles = [\"a.bin\", \"d/../b.bin\"]", { $0.data.files }, ["\(folder)/a.bin", "\(folder)/b.bin"]),
            ("source = \"text\"\npath = \"~/book.txt\"", { [$0.data.path] }, [NSHomeDirectory() + "/book.txt"]),
            // Not set in the file: the default digits folder, from the working directory.
            ("source = \"digits\"", { [$0.data.path] }, [FileManager.default.currentDirectoryPath + "/fixtures/digits"]),
        ]
        for (data, paths, expected) in cases {
            let file = dir.appendingPathComponent("c.toml")
            try "[data]\n\(data)\n".write(to: file, atomically: true, encoding: .utf8)
            #expect(paths(try RunConfig.load(file.path)) == expected, "\(data)")
            // parse alone (a run file's stored config) keeps the paths as written.
            #expect(try RunConfig.parse("[data]\n\(data)\n", file: "t").data.source == RunConfig.load(file.path).data.source)
        }
        #expect(try RunConfig.parse("[data]\nsource = \"csv\"\npath = \"../x.csv\"\nlabel_column = 0\n", file: "t").data.path == "../x.csv")
    }

    @Test("a recorded file list stands in for config paths, per source; nil where it cannot")
    func recordedPaths() {
        var d = RunConfig().data
        d.source = .digits
        #expect(d.withRecordedPaths(["/r/digits/digits-images-idx3-ubyte", "/r/digits/digits-labels-idx1-ubyte"])?.path == "/r/digits")
        #expect(d.withRecordedPaths(["/one"]) == nil)
        d.source = .idx
        let idx = d.withRecordedPaths(["/i", "/l"])
        #expect(idx?.images == "/i" && idx?.labels == "/l")
        d.source = .csv
        #expect(d.withRecordedPaths(["/c.csv"])?.path == "/c.csv")
        d.source = .cifar10
        #expect(d.withRecordedPaths(["/a", "/b"])?.files == ["/a", "/b"])
        d.source = .text
        let text = d.withRecordedPaths(["/t1", "/t2"])
        #expect(text?.files == ["/t1", "/t2"] && text?.path == "")
        d.source = .gaussianMixture
        #expect(d.withRecordedPaths([]) == nil)
    }
}

@Suite("Config keys that apply")
struct ApplicableKeysTests {
    @Test("a summary leaves out the keys a run does not use, and keeps the ones it does")
    func applicable() throws {
        let digitsSGD = try RunConfig.parse("[data]\nsource = \"digits\"\n[optimizer]\nkind = \"sgd\"\n", file: "a")
        let skip = digitsSGD.inapplicableKeys
        for key in ["data.classes", "data.dimension", "data.count", "data.files", "data.images", "data.context", "optimizer.beta1",
                    "optimizer.momentum", "schedule.final_fraction", "schedule.step_every", "learned_init.epsilon", "model.heads", "record.blocks"] {
            #expect(skip.contains(key), "\(key) should not apply")
        }
        for key in ["data.path", "data.subset", "data.normalize", "optimizer.lr", "model.hidden", "learned_init.method", "record.sharpness_every"] {
            #expect(!skip.contains(key), "\(key) applies")
        }
        let text = try RunConfig.parse("[data]\nsource = \"text\"\n[optimizer]\nkind = \"adam\"\n[schedule]\ndecay = \"cosine\"\n[learned_init]\nmethod = \"gradinit\"\n", file: "b")
        let kept = text.inapplicableKeys
        for key in ["data.context", "data.tokenizer", "optimizer.beta2", "schedule.final_fraction", "model.heads", "learned_init.gradient_bound"] {
            #expect(!kept.contains(key), "\(key) applies")
        }
        for key in ["data.dimension", "model.hidden", "model.activation", "optimizer.momentum", "learned_init.epsilon"] {
            #expect(kept.contains(key), "\(key) should not apply")
        }
        // The summary text parses back to the same config: nothing it dropped changed the run.
        let summary = try RunConfig.applicableTOML(digitsSGD.resolvedTOML, file: "c")
        #expect(try RunConfig.parse(summary, file: "c") == digitsSGD)
        #expect(!summary.contains("classes =") && summary.contains("path ="))
    }
}
