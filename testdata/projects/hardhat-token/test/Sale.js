// Not read by the analyzer: a test file of the project.
describe("Sale", () => {});
