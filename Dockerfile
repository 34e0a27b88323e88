# The decider image (Fargate): bin/decider.ts bundled into one file by esbuild in a build stage,
# run by plain node as a non-root user in a slim runtime stage. Build context: the repository root
# (.dockerignore keeps it to package*.json, tsconfig.json, bin/ and lib/).
#   docker build -t video-decider . && docker run -e AWS_REGION=... video-decider

ARG NODE_IMAGE=public.ecr.aws/docker/library/node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: the decider needs no native module (better-sqlite3 is swf-local's).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY lib ./lib
RUN npx esbuild bin/decider.ts --bundle --platform=node --target=node22 --format=cjs --minify --sourcemap --sources-content=false --outfile=dist/decider.js

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY --from=build /src/dist/ ./dist/
# The node image's unprivileged user; the app files stay root-owned and read-only to it.
USER node
# SIGTERM (ECS stop) reaches node directly: the decider finishes the decision tasks in hand.
CMD ["node", "dist/decider.js"]
