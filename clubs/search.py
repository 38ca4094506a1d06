"""What a forum's search document holds (crm.search): its name and topic, purpose, minutes,
analysis and follow-up, and every opinion heard at it (座谈会意见), so the forums register finds a
forum by what owners said there."""
from crm import search

from .models import ForumOpinion, OwnerForum

FIELDS = ("number", "title", "topic", "purpose", "minutes", "analysis", "follow_up", "follow_up_result")


def documents(ids) -> dict:
    opinions: dict[int, list[str]] = {}
    for forum_id, speaker, text in ForumOpinion.objects.filter(forum_id__in=ids).values_list("forum_id", "speaker",
                                                                                            "text"):
        opinions.setdefault(forum_id, []).extend((speaker, text))
    rows = OwnerForum.objects.filter(pk__in=ids).values_list("pk", "title", "topic", "number", "purpose", "minutes",
                                                             "analysis", "follow_up", "follow_up_result")
    return {pk: search.Document(title=f"{title} {topic}", body=" ".join(filter(None, (*texts, *opinions.get(pk, ())))))
            for pk, title, topic, *texts in rows}


search.register(OwnerForum, code=3, build=documents, recency="created_at", fields=FIELDS, related={ForumOpinion: "forum_id"})
