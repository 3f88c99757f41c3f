import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "sys", include: ["test/**/*.test.ts"] },
});
