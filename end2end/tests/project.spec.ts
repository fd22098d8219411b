// A whole project on the page: several files, a folder and a .zip picked in the real
// page, the tree the server's preview makes of them (in scope, library, left out, not
// read), scope changed with a box, the token estimate, and a report over the project
// that names the files it found issues in. The fixtures are testdata/projects/.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect, test } from "@playwright/test";
import { FAST, open, phase, report } from "./helpers";

const projects = join(__dirname, "..", "..", "testdata", "projects");
const vault = join(projects, "foundry-vault");
const row = (page, path: string) => page.locator(`#project .tree-file[data-path="${path}"]`);

test("a picked folder shows its tree, and the report is over the whole project", async ({ page }) => {
  await open(page, FAST);
  await page.locator("#folder").setInputFiles(vault);
  await expect(page.locator("#project")).toBeVisible();
  await expect(page.locator("#contract")).toBeHidden();
  await expect(page.locator("#project .project-name")).toHaveText("foundry-vault");
  await expect(row(page, "src/Vault.sol")).toHaveAttribute("data-role", "in_scope");
  await expect(row(page, "src/mocks/MockToken.sol")).toHaveAttribute("data-role", "mock");
  await expect(row(page, "test/Vault.t.sol")).toHaveAttribute("data-role", "test");
  await expect(row(page, "lib/openzeppelin-contracts/contracts/access/Ownable.sol")).toHaveAttribute(
    "data-role",
    "library",
  );
  await expect(page.locator("#project .project-summary")).toContainText("foundry project: 3 files in scope");
  await expect(page.locator("#project .project-estimate")).toContainText(/about [\d,]+ tokens/);

  await page.locator("#generate").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 30_000 });
  // The builtin analyzer read the project as one codebase: its findings name their files.
  await expect(report(page)).toContainText("src/Vault.sol");
  await expect(report(page)).not.toContainText("MockToken.sol:");

  // A finding's location opens its own file of the project at its lines.
  await page.locator(".findings .finding .location", { hasText: "src/Vault.sol:" }).first().click();
  const view = page.locator("#contract-view");
  await expect(view.locator(".contract-view-head")).toContainText("src/Vault.sol");
  await expect(view.locator(".contract-lines")).toContainText("contract Vault is VaultBase");
  await expect(view.locator(".contract-lines li.hl").first()).toBeVisible();
  // Any other file of the project opens from the list.
  await view.locator("select.contract-file").selectOption("src/VaultBase.sol");
  await expect(view.locator(".contract-view-head")).toContainText("src/VaultBase.sol");
  await expect(view.locator(".contract-lines")).toContainText("abstract contract VaultBase is Ownable");
});

test("a box takes a file out of scope and the estimate follows", async ({ page }) => {
  await open(page, FAST);
  await page.locator("#folder").setInputFiles(vault);
  const estimate = page.locator("#project .project-estimate");
  await expect(row(page, "src/Treasury.sol")).toHaveAttribute("data-role", "in_scope");
  const before = Number((await estimate.innerText()).match(/about ([\d,]+)/)![1].replaceAll(",", ""));
  await row(page, "src/Vault.sol").locator("input.in-scope").uncheck();
  await expect(row(page, "src/Vault.sol")).toHaveAttribute("data-role", "excluded");
  await expect(row(page, "src/Treasury.sol")).toHaveAttribute("data-role", "in_scope");
  const after = Number((await estimate.innerText()).match(/about ([\d,]+)/)![1].replaceAll(",", ""));
  expect(after).toBeLessThan(before);
  // And back to one contract: the box is there again, as it was.
  await page.locator("#clear-project").click();
  await expect(page.locator("#project")).toHaveCount(0);
  await expect(page.locator("#contract")).toBeVisible();
});

test("several files picked at once are one project", async ({ page }) => {
  await open(page, FAST);
  const src = join(vault, "src");
  const files = readdirSync(src).filter((f) => f.endsWith(".sol")).map((f) => join(src, f));
  await page.locator("#file").setInputFiles(files);
  await expect(row(page, "Vault.sol")).toHaveAttribute("data-role", "in_scope");
  await expect(row(page, "VaultBase.sol")).toHaveAttribute("data-role", "in_scope");
  // Its library is not among the files: the import nothing answers is named with its line.
  await expect(page.locator("#project .project-unresolved")).toContainText("Vault.sol (line 6)");
});

test("a .zip is unpacked by the server and shown the same way", async ({ page }) => {
  await open(page, FAST);
  const dir = mkdtempSync(join(tmpdir(), "project-zip-"));
  const zip = join(dir, "hardhat-token.zip");
  // Python's zipfile writes the archive (Debian's python3 is on every test machine).
  execFileSync("python3", ["-m", "zipfile", "-c", zip, join(projects, "hardhat-token")]);
  await page.locator("#file").setInputFiles(zip);
  await expect(page.locator("#project .project-name")).toHaveText("hardhat-token.zip");
  await expect(page.locator("#project .project-summary")).toContainText("hardhat project");
  await expect(row(page, "contracts/Sale.sol")).toHaveAttribute("data-role", "in_scope");
  await page.locator("#generate").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 30_000 });
  await expect(report(page)).toContainText("contracts/");
});

test("what the server refuses is said beside the input, and nothing is lost", async ({ page }) => {
  await open(page, FAST);
  await page.locator("#contract").fill("contract Kept {}");
  const dir = mkdtempSync(join(tmpdir(), "project-bad-"));
  const notZip = join(dir, "broken.zip");
  execFileSync("sh", ["-c", `printf 'PK not a zip' > '${notZip}'`]);
  await page.locator("#file").setInputFiles(notZip);
  await expect(page.locator(".input-error")).toContainText("broken.zip");
  await expect(page.locator("#project")).toHaveCount(0);
  await expect(page.locator("#contract")).toHaveValue("contract Kept {}");
});

/** Drops `paths` (files or folders on disk) on the contract box as the OS would: through
 * the DevTools protocol's drag events, so the page reads them with the entries API. */
async function dropFromDisk(page, paths: string[]) {
  const box = (await page.locator("#contract").boundingBox())!;
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ["dragEnter", "dragOver", "drop"]) {
    await cdp.send("Input.dispatchDragEvent", { type, x, y, data });
  }
}

test("a dropped folder is read as the project, its build and VCS folders unread", async ({ page }) => {
  // The project as it sits on a developer's disk: with its git folder and build output.
  const copy = join(mkdtempSync(join(tmpdir(), "project-drop-")), "foundry-vault");
  cpSync(vault, copy, { recursive: true });
  for (const built of [".git/objects/Vault.sol", "out/Vault.sol/Vault.sol", "cache/Stale.sol"]) {
    mkdirSync(join(copy, dirname(built)), { recursive: true });
    writeFileSync(join(copy, built), "contract Built {}\n");
  }
  await open(page, FAST);
  await dropFromDisk(page, [copy]);
  await expect(page.locator("#project .project-name")).toHaveText("foundry-vault");
  await expect(page.locator("#project .tree-file")).not.toHaveCount(0);
  for (const folder of [".git/", "out/", "cache/"]) {
    await expect(page.locator(`#project .tree-file[data-path^="${folder}"]`)).toHaveCount(0);
  }
  // Those folders were not even walked: nothing of them is counted as a file not read.
  await expect(page.locator("#project .project-not-read")).toHaveCount(0);
  await expect(row(page, "src/Vault.sol")).toHaveAttribute("data-role", "in_scope");
  await expect(row(page, "lib/openzeppelin-contracts/contracts/access/Ownable.sol")).toHaveAttribute(
    "data-role",
    "library",
  );
  await expect(page.locator("#project .project-summary")).toContainText("foundry project: 3 files in scope");
});

test("several files dropped by a script (no entries API) are one project", async ({ page }) => {
  await open(page, FAST);
  const src = join(vault, "src");
  const files = ["Vault.sol", "VaultBase.sol"].map((name) => ({
    name,
    text: readFileSync(join(src, name), "utf8"),
  }));
  const transfer = await page.evaluateHandle((files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([f.text], f.name, { type: "text/plain" }));
    return dt;
  }, files);
  await page.locator("#contract").dispatchEvent("drop", { dataTransfer: transfer });
  await expect(row(page, "Vault.sol")).toHaveAttribute("data-role", "in_scope");
  await expect(row(page, "VaultBase.sol")).toHaveAttribute("data-role", "in_scope");
});

test("a stored project opens its files, and Run again puts the project back with its scope", async ({ page }) => {
  await open(page, FAST);
  await page.locator("#folder").setInputFiles(vault);
  await row(page, "src/Vault.sol").locator("input.in-scope").uncheck();
  await expect(row(page, "src/Vault.sol")).toHaveAttribute("data-role", "excluded");
  await page.locator("#generate").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 30_000 });
  const link = page.locator("#saved-report");
  await expect(link).toHaveAttribute("href", /^\/reports\/[0-9a-f-]{36}$/);
  const id = (await link.getAttribute("href"))!.split("/").pop()!;
  await expect
    .poll(async () => (await (await page.request.get(`${FAST}api/reports/${id}`)).json()).status)
    .toBe("done");

  // The report's own page: a location opens its file, and the project's files are listed.
  await page.goto(`${FAST}reports/${id}`);
  await expect(page.locator("section.stored-report")).toHaveAttribute("data-hydrated", "true");
  await expect(report(page)).not.toContainText("src/Vault.sol:");
  await page.locator(".findings .finding .location", { hasText: "src/VaultBase.sol:" }).first().click();
  const view = page.locator("#contract-view");
  await expect(view.locator(".contract-lines")).toContainText("abstract contract VaultBase is Ownable");
  await expect(view.locator(".contract-lines li.hl").first()).toBeVisible();
  await view.locator("select.contract-file").selectOption("src/Vault.sol");
  await expect(view.locator(".contract-lines")).toContainText("contract Vault is VaultBase");

  // Run again: the same files, and Vault.sol still out of scope.
  await page.locator("#run-again").click();
  await expect(page).toHaveURL(`${FAST}?rerun=${id}`);
  await expect(page.locator("#project .project-name")).toHaveText("foundry-vault");
  await expect(row(page, "src/Vault.sol")).toHaveAttribute("data-role", "excluded");
  await expect(row(page, "src/Treasury.sol")).toHaveAttribute("data-role", "in_scope");
  await expect(page.locator("#contract")).toBeHidden();
  await page.locator("#generate").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 30_000 });
  await expect(report(page)).toContainText("src/VaultBase.sol:");
  await expect(report(page)).not.toContainText("src/Vault.sol:");
});
