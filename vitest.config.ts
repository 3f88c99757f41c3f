import { defineConfig } from "vitest/config";

// One vitest project per package or app that has its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts"],
  },
});
