# syntax=docker/dockerfile:1
# Dojo runs its TypeScript directly on Node 24 (type stripping), so the image needs no compile step:
# one stage resolves production dependencies, one builds the web app (Vite, dev dependencies), the final
# stage copies both with the sources.
FROM node:24-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY protocol ./protocol
COPY web ./web
RUN npx vite build web --logLevel warn

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# postinstall applies patches/ (patch-package): werift's SRTP keys as KeyObjects, see patches/README.md
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    PORT=2567 \
    DATA_DIR=/var/lib/dojo
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY config ./config
COPY protocol ./protocol
COPY server ./server
COPY rooms ./rooms
COPY workers ./workers
COPY --from=web /app/web/dist ./web/dist
RUN mkdir -p /var/lib/dojo && chown node:node /var/lib/dojo
USER node
EXPOSE 2567
VOLUME ["/var/lib/dojo"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||2567)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server/main.ts"]
