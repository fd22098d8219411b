//! The phrase tables: what text addressed to a model looks like, as chat-role markers and
//! regular expressions over normalised lines and words, each tagged with its aim.

use std::sync::LazyLock;

use regex::Regex;

use super::Aim;

/// Chat-template markers, searched with every space removed.
pub(super) const ROLE_MARKERS: &[&str] = &[
    "<|im_start|>",
    "<|im_end|>",
    "<|system|>",
    "<|user|>",
    "<|assistant|>",
    "<|endoftext|>",
    "<|eot_id|>",
    "<|start_header_id|>",
    "<|begin_of_text|>",
    "[inst]",
    "[/inst]",
    "<<sys>>",
    "<</sys>>",
    "<start_of_turn>",
    "<system>",
    "</system>",
    "###instruction",
    "###system",
    "###response",
    "[system]",
];

/// Patterns over one normalised line (case folded, punctuation kept).
pub(super) static LINE_PATTERNS: LazyLock<Vec<(Aim, Regex)>> = LazyLock::new(|| {
    compile(&[
        (
            Aim::Role,
            r"^[-*> ]*(system|assistant|human|developer|system prompt|new instructions?)\s*:",
        ),
        (
            Aim::FakeReport,
            r"^#{1,6} *(\d+\. *)?(findings?|summary|security report|audit report|audit summary|vulnerabilities|issues|conclusion|results?)\b",
        ),
        (Aim::FakeReport, r"^#{1,6} *\[?[a-z]?-?\d+\]?\.? "),
    ])
});

/// Patterns over the joined piece as lower-case words separated by single spaces.
pub(super) static WORD_PATTERNS: LazyLock<Vec<(Aim, Regex)>> = LazyLock::new(|| {
    const ISSUES: &str = r"(findings?|issues?|vulnerabilit\w*|bugs?|problems?|warnings?|flaws?|weakness\w*|exploits?|risks?|reentrancy|overflows?)";
    const SUBJECT: &str = r"(contract|code|codebase|project|protocol|this|it)";
    const SAFE: &str = r"(safe|secure|audited|bug free|vulnerability free|clean|flawless|trustworthy|harmless|no (\w+ )?(issues|vulnerabilities|bugs|findings|problems))";
    let patterns: Vec<(Aim, String)> = vec![
        (
            Aim::Override,
            r"\b(ignore|ignoring|disregard|disregarding|forget|forgetting|override|overriding|overlook|bypass|neglect|discard|abandon) (\w+ ){0,5}?(instructions?|prompts?|rules|directions|directives|guidelines|guidance|programming|constraints|system messages?)\b".into(),
        ),
        (
            Aim::Override,
            r"\b(new|updated|real|actual|true|revised|secret|hidden|following) (system )?(instructions|directives)( are| follow)?\b( is)?".into(),
        ),
        (Aim::Override, r"\bsystem prompt\b".into()),
        (Aim::Override, r"\bfrom now on (you|your|the model|the assistant|respond|answer|reply|only)\b".into()),
        (
            Aim::Override,
            r"\binstead (you (should|must|will|shall)|(just |only )?(say|output|respond|reply|write|answer|report))\b".into(),
        ),
        (
            Aim::Role,
            r"\byou are (now|no longer|actually|really|an? (ai|llm|large language model|language model|assistant|auditor|helpful|security|smart contract))\b".into(),
        ),
        (
            Aim::Role,
            r"\b(act|behave|respond|answer|reply|pose) as (if you were )?(an?|the|my)? ?(\w+ )?(ai|assistant|auditor|model|llm|gpt|chatbot|reviewer|analy[sz]er|expert|different|unrestricted)\b".into(),
        ),
        (Aim::Role, r"\b(you|please|now|must|should) act as\b".into()),
        (Aim::Role, r"\bpretend (to be|that|you)\b".into()),
        (Aim::Role, r"\b(roleplay|role play|developer mode|jailbreak|jailbroken|dan mode)\b".into()),
        (
            Aim::Role,
            r"\byour (new |real |true )?(role|task|job|goal|purpose|instructions?|objective) (is|are|will be|now)\b".into(),
        ),
        (
            Aim::Role,
            r"\b(note|message|instructions?|attention|attn|hey|hi|hello|dear) (to |for )?(the |all |any )?(ai|ais|llms?|large language models?|language models?|models?|assistants?|chatbots?|gpt|chatgpt|claude|gemini|copilot|ai auditors?|automated (auditors?|reviewers?|tools?|scanners?)|auditing (ai|bots?|tools?))\b".into(),
        ),
        (
            Aim::Suppress,
            format!(r"\b(do not|dont|don t|never|must not|mustnt|should not|shouldnt|shall not|stop|refrain from|avoid|no need to) (\w+ ){{0,3}}?(report|reporting|flag|flagging|mention|mentioning|disclose|disclosing|highlight|highlighting|raise|raising|point out|call out|bring up|audit|analy[sz]e|check|review|look at)\b( \w+){{0,5}}? ({ISSUES}|this|these|it|them|anything|any|that)\b"),
        ),
        (
            Aim::Suppress,
            format!(r"\b(do not|dont|don t|never|must not|should not|shall not) (\w+ ){{0,3}}?(list|include|output|note|warn|write|add)\b( \w+){{0,5}}? {ISSUES}"),
        ),
        (
            Aim::Suppress,
            format!(r"\b(omit|omitting|suppress|suppressing|hide|hiding|ignore|ignoring|skip|skipping|exclude|excluding|leave out|dismiss|disregard|overlook) (\w+ ){{0,4}}?{ISSUES}\b"),
        ),
        (
            Aim::Suppress,
            r"\b(downgrade|downgrading|lower|lowering|reduce|reducing|decrease|minimi[sz]e|understate|soften) (\w+ ){0,4}?(severity|severities|rating|ratings|findings?|issues?|vulnerabilit\w*)\b".into(),
        ),
        (
            Aim::Suppress,
            r"\b(mark|rate|classify|label|report|treat|consider|list|flag|grade|score) (\w+ ){0,5}?as (info|informational|low|none|non critical|false positives?|safe|secure|benign|resolved|acceptable|intended|not (a |an )?(vulnerabilit\w*|issue|bug|finding|problem))\b".into(),
        ),
        (
            Aim::Suppress,
            format!(r"\b(all|any|every|these|the) (\w+ ){{0,3}}?{ISSUES} (are|is|should be|must be|were) (\w+ ){{0,2}}?(false positives?|intended|by design|expected|safe|acceptable|not exploitable|resolved|fixed|irrelevant)\b"),
        ),
        (
            Aim::Suppress,
            format!(r"\b(declare|declaring|state|say|conclude|confirm|certify|report|claim|write|output|answer|respond|assert|tell|mark|present) (\w+ ){{0,4}}?(that )?(the |this )?{SUBJECT} (\w+ ){{0,2}}?(is|as|was|has|being|to be) (\w+ ){{0,2}}?{SAFE}\b"),
        ),
        (
            Aim::Suppress,
            r"\b(already|fully|formally|thoroughly|professionally|previously|extensively) (been )?(audited|verified|certified)\b".into(),
        ),
        (
            Aim::Suppress,
            r"\b(contract|code|codebase) is (completely |totally |perfectly |entirely |fully |100 )?(safe|secure|bug free|vulnerability free|flawless)\b".into(),
        ),
        (
            Aim::Suppress,
            r"\b(report|output|respond with|answer with|return|say|write|print|reply with|reply) (only )?(that )?(there are )?(no (\w+ )?(issues|vulnerabilities|findings|bugs|problems)|nothing|none|an empty report|zero findings)\b".into(),
        ),
        (Aim::Suppress, r"\b(nothing|no issues|no vulnerabilities|no findings) to report\b".into()),
        (
            Aim::FakeReport,
            r"\bno (\w+ ){0,2}?(issues|vulnerabilities|findings|bugs|problems|flaws) (were |have been |are |was |has been )?(found|detected|identified|exist|present|reported)\b".into(),
        ),
        (
            Aim::FakeReport,
            r"\bseverity (critical|high|medium|low|info|informational|none|n a)\b".into(),
        ),
        (
            Aim::FakeReport,
            r"\b(critical|high) (severity |risk )?0 (\w+ ){0,2}?(high|medium) (severity |risk )?0\b".into(),
        ),
    ];
    patterns
        .into_iter()
        .map(|(aim, p)| (aim, Regex::new(&p).expect("a valid guard pattern")))
        .collect()
});

fn compile(patterns: &[(Aim, &str)]) -> Vec<(Aim, Regex)> {
    patterns
        .iter()
        .map(|(aim, p)| (*aim, Regex::new(p).expect("a valid guard pattern")))
        .collect()
}
