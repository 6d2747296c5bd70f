"""The rules layer: pure checks over stored artifacts. Never imports Scrapy."""
