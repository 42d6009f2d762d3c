//! What a rule is: static metadata next to a plain check function.

use std::collections::HashMap;

use shipshape_model::FileKind;
use shipshape_model::compose::Project;
use shipshape_model::gitlab::{Origin, Pipeline};
use shipshape_yaml::{FileId, Span, Tree};

use crate::diagnostic::{Diagnostic, Label, RuleName, Severity};
use crate::workspace::{AnalyzedFile, CiPipeline, Workspace};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Group {
    /// Every YAML file.
    Yaml,
    Compose,
    Gitlab,
    /// Cross-file: CI jobs against the compose files they run.
    CiCompose,
    Secrets,
    /// About shipshape's own comments and configuration.
    Meta,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Yaml => "yaml",
            Group::Compose => "compose",
            Group::Gitlab => "gitlab",
            Group::CiCompose => "ci-compose",
            Group::Secrets => "secrets",
            Group::Meta => "meta",
        }
    }

    /// Whether a file rule of this group looks at a file of this kind.
    pub fn applies_to(self, kind: FileKind) -> bool {
        match self {
            Group::Yaml | Group::Meta => true,
            Group::Compose => kind == FileKind::Compose,
            Group::Gitlab => kind == FileKind::GitlabCi,
            Group::CiCompose | Group::Secrets => kind != FileKind::Yaml,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FixAvailability {
    None,
    /// Every finding carries a safe fix.
    Safe,
    /// Findings carry a fix that is safe in some cases and unsafe in others.
    Sometimes,
    Unsafe,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Safe => "safe",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Unsafe => "unsafe",
        }
    }
}

#[derive(Clone, Copy)]
pub enum Check {
    /// Runs once per file of a kind the group applies to, in parallel with other files.
    File(fn(&AnalyzedFile, &mut Sink<'_>)),
    /// Runs once per Compose project (the files Compose reads together); only findings
    /// in the files the project owns are kept.
    Compose(fn(&ComposeContext<'_>, &mut Sink<'_>)),
    /// Runs once per GitLab pipeline (a root file merged with its includes); only
    /// findings in the pipeline's files are kept.
    Pipeline(fn(&PipelineContext<'_>, &mut Sink<'_>)),
    /// Runs once per analysis over all files (cross-file rules).
    Workspace(fn(&Workspace, &mut Sink<'_>)),
    /// Carried out by the analysis itself, after the other rules (`unused-ignore`).
    Engine,
}

/// What a Compose rule sees: one merged project, and the workspace for the files' trees.
pub struct ComposeContext<'a> {
    pub ws: &'a Workspace,
    pub project: &'a Project,
}

impl ComposeContext<'_> {
    pub fn file(&self, id: FileId) -> &AnalyzedFile {
        self.ws.file(id)
    }

    /// The tree of a file (None when it did not parse: not a file of the project, whose
    /// files all did).
    pub fn tree(&self, id: FileId) -> Option<&Tree> {
        self.ws.file(id).tree()
    }

    pub fn text(&self, id: FileId) -> &str {
        &self.ws.source(id).text
    }

    /// Whether every file of the project parsed to the end: rules that conclude from an
    /// absence ("no healthcheck") stay silent otherwise.
    pub fn is_complete(&self) -> bool {
        self.project
            .files
            .iter()
            .all(|&f| self.ws.file(f).is_complete())
    }
}

/// What a GitLab rule sees: one merged pipeline, and the workspace for the files' trees.
pub struct PipelineContext<'a> {
    pub ws: &'a Workspace,
    pub pipeline: &'a CiPipeline,
    /// The pipeline in every kind of pipeline, computed by the first rule that asks and
    /// dropped with this context (after the pipeline's checks).
    simulations: std::cell::OnceCell<Vec<crate::pipeline_runs::PipelineRun>>,
}

impl<'a> PipelineContext<'a> {
    pub fn new(ws: &'a Workspace, pipeline: &'a CiPipeline) -> PipelineContext<'a> {
        PipelineContext {
            ws,
            pipeline,
            simulations: std::cell::OnceCell::new(),
        }
    }

    pub fn model(&self) -> &Pipeline {
        &self.pipeline.model
    }

    /// Whether some of the pipeline could not be read (a `project`/`remote`/`template`
    /// include, a missing file, a fragment checked without its root, a file that did not
    /// parse to its end, aliases past the expansion budget): rules that conclude from an
    /// absence ("no such job") stay silent then.
    pub fn is_open(&self) -> bool {
        self.pipeline.model.open_includes
            || self.pipeline.model.truncated
            || self
                .pipeline
                .model
                .files
                .iter()
                .any(|&f| !self.ws.file(f).is_complete())
    }

    pub fn span(&self, origin: Origin) -> Span {
        self.ws.span_of(origin)
    }

    /// The pipeline in every kind of pipeline it can run in (simulated once, on first use).
    pub fn simulations(&self) -> &[crate::pipeline_runs::PipelineRun] {
        self.simulations
            .get_or_init(|| crate::simulation::simulations(self.ws, self.pipeline))
    }

    /// The tree of a file (None when it did not parse: not a file of the pipeline, whose
    /// files all did).
    pub fn tree(&self, id: FileId) -> Option<&Tree> {
        self.ws.file(id).tree()
    }

    pub fn text(&self, id: FileId) -> &str {
        &self.ws.source(id).text
    }
}

/// An option a rule reads from its `[rules.<name>]` table in `shipshape.toml`, declared
/// next to the rule (a static the rule's code reads through [`Sink::strings`]) and
/// documented in the rule README's "Options".
#[derive(Debug)]
pub struct RuleOption {
    /// Kebab-case key.
    pub name: &'static str,
    pub kind: OptionKind,
    /// One line, for `shipshape rule` and configuration errors.
    pub summary: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OptionKind {
    /// A list of strings; the configured values extend the rule's built-in data.
    Strings,
}

impl OptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OptionKind::Strings => "a list of strings",
        }
    }
}

/// The options `shipshape.toml` sets, per rule (validated against each rule's declared
/// options when the file is read).
#[derive(Clone, Debug, Default)]
pub struct RuleOptions {
    /// rule name -> option name -> values.
    strings: HashMap<String, HashMap<String, Vec<String>>>,
}

impl RuleOptions {
    pub fn set_strings(&mut self, rule: &str, option: &str, values: Vec<String>) {
        self.strings
            .entry(rule.to_string())
            .or_default()
            .insert(option.to_string(), values);
    }

    pub fn strings(&self, rule: &str, option: &str) -> &[String] {
        self.strings
            .get(rule)
            .and_then(|o| o.get(option))
            .map_or(&[], Vec::as_slice)
    }
}

pub struct Rule {
    /// Kebab-case; part of the public interface (config, ignore comments, SARIF ids).
    pub name: &'static str,
    pub group: Group,
    pub severity: Severity,
    pub fix: FixAvailability,
    /// One line, for `shipshape rule` and SARIF's shortDescription.
    pub summary: &'static str,
    /// `rules/<name>/README.md`: for `shipshape rule NAME`, LSP hover, SARIF help.
    pub doc: &'static str,
    /// What the rule runs: usually one check; a rule about both Compose and GitLab CI
    /// files (`unknown-host`) has one of each.
    pub checks: &'static [Check],
    /// What `[rules.<name>]` may set besides `severity`.
    pub options: &'static [&'static RuleOption],
}

impl Rule {
    pub fn option(&self, name: &str) -> Option<&'static RuleOption> {
        self.options.iter().copied().find(|o| o.name == name)
    }
}

/// What a rule's check is given besides what it checks: where its findings go (each
/// stamped with the rule's name and effective severity, so rule code never deals with
/// configuration), and the rule's own options.
pub struct Sink<'a> {
    rule: &'static Rule,
    severity: Severity,
    options: &'a RuleOptions,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub fn new(
        rule: &'static Rule,
        severity: Severity,
        options: &'a RuleOptions,
        out: &'a mut Vec<Diagnostic>,
    ) -> Sink<'a> {
        Sink {
            rule,
            severity,
            options,
            out,
        }
    }

    /// The values `shipshape.toml` gives one of this rule's options (empty when unset).
    pub fn strings(&self, option: &'static RuleOption) -> &'a [String] {
        debug_assert!(
            self.rule.options.iter().any(|o| std::ptr::eq(*o, option)),
            "{} reads an option it does not declare: {}",
            self.rule.name,
            option.name
        );
        self.options.strings(self.rule.name, option.name)
    }

    /// The rule's effective severity (a finding may be lowered below it, never raised).
    pub fn severity(&self) -> Severity {
        self.severity
    }

    pub fn report(
        &mut self,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.out.push(Diagnostic {
            rule: RuleName::new(self.rule.name),
            severity: self.severity,
            message: message.into(),
            primary: Label {
                file,
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
            fix: None,
        });
        self.out.last_mut().expect("just pushed")
    }
}
