# flowserv-remote: gRPC server for flowServ-style workflows.
#   docker build -t flowserv-remote .
#   docker run --rm -p 50051:50051 -v flowserv-data:/data flowserv-remote
# Build stage: all dependencies (better-sqlite3 compiles a native addon), TypeScript → dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
    && npm prune --omit=dev

# Runtime stage: production dependencies and dist/ only, as the unprivileged `node` user.
# tini is PID 1 so that the detached job processes the local engine starts are reaped;
# python3 is what `${python}` in workflow commands runs; bubblewrap confines each job
# (--job-sandbox, needs user namespaces in the container); flowserv-job is the account jobs run
# as when the container is started as root instead of `node`.
FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini python3 bubblewrap \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin flowserv-job \
    && mkdir -p /data \
    && chown node:node /data
WORKDIR /app
ENV NODE_ENV=production \
    FLOWSERV_REMOTE_HOST=0.0.0.0 \
    FLOWSERV_REMOTE_PORT=50051 \
    FLOWSERV_REMOTE_DATA_DIR=/data
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
VOLUME ["/data"]
# 9464: Prometheus metrics, served only with FLOWSERV_REMOTE_METRICS_PORT=9464 (off by default).
EXPOSE 50051 9464
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD ["node", "dist/cli/main.js", "health-probe"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/cli/main.js"]
CMD ["serve"]
