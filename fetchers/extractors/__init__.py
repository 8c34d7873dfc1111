"""The parts of article-text extraction: blocks, the extractors that vote on them, the vote,
site furniture and page metadata (fetchers.extract puts them together)."""
