// Validates a SARIF file as GitHub code scanning would, with Microsoft's SARIF
// Multitool (`validate --rule-kind "Gh;Sarif"`, installed into tools/ by
// scripts/install.sh --test), the same check tests/sarif.rs runs on the server's export.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MULTITOOL =
  process.env.AUDITSTREAM_SARIF_MULTITOOL ??
  join(__dirname, "..", "..", "tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");

export type Issue = { level: string; ruleId: string; message: string };

/** The Multitool's errors and warnings on `file` (notes left out). */
export function validateSarif(file: string): Issue[] {
  if (!existsSync(MULTITOOL)) {
    throw new Error(`the SARIF Multitool is missing at ${MULTITOOL}; run scripts/install.sh --test`);
  }
  const out = join(mkdtempSync(join(tmpdir(), "sarif-")), "validation.sarif");
  // Called without a shell: `Gh;Sarif` must reach it as one argument.
  execFileSync(
    MULTITOOL,
    ["validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning", "--log", "ForceOverwrite", "--output", out, file],
    { env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" }, stdio: "pipe" },
  );
  const log = JSON.parse(readFileSync(out, "utf8"));
  for (const run of log.runs) {
    for (const n of run.invocations?.[0]?.toolExecutionNotifications ?? []) {
      if (n.level === "error") throw new Error(`the Multitool failed: ${JSON.stringify(n)}`);
    }
  }
  return log.runs.flatMap((run: any) =>
    (run.results ?? []).map((r: any) => ({
      level: r.level ?? "warning",
      ruleId: r.ruleId ?? "",
      message: JSON.stringify(r.message),
    })),
  );
}
