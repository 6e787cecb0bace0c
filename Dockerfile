# syntax=docker/dockerfile:1
# FAS image: compile TypeScript with the dev dependencies, then run on production dependencies only.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY app ./app
RUN npm run build

FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
# The base image's unprivileged user (uid 1000); the chart's securityContext expects it.
USER node
EXPOSE 9527
# Node itself is PID 1 (no npm or shell wrapper), so SIGTERM reaches the server's graceful shutdown.
CMD ["node", "dist/index.js"]
