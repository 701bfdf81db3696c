"""Which outlet an article credits: the source of what it reports, not every mention of a name."""

from newsprism.claims.provenance import article_credits, credits_outlet

NYT = "The New York Times"


def test_a_reporting_verb_or_whom_someone_told_makes_a_credit():
    assert credits_outlet("Ginsburg told The New York Times in an article published Sunday.", NYT)
    assert credits_outlet("As the Times first reported, the emails were handed over.", NYT)
    assert credits_outlet("Maggie Haberman in the New York Times today explains why.", NYT)
    assert credits_outlet("The advisers chose the emails, according to the New York Times.", NYT)


def test_naming_an_outlet_is_not_crediting_it():
    assert not credits_outlet("His campaign called a New York Times report an outrageous distortion.", NYT)
    assert not credits_outlet("He disputed a report in The New York Times.", NYT)
    assert not credits_outlet("A Fox News host asked him about it.", "Fox News")


def test_two_word_names_get_no_short_form():
    # "the Post" names the Washington Post as often as any other Post
    assert not credits_outlet("The Post reported that the deal was off.", "HuffPost")
    assert credits_outlet("HuffPost reported that the deal was off.", "HuffPost")


def test_an_interview_hands_its_quotations_to_the_outlet_that_held_it():
    sentences = [
        "Trump responded Tuesday, telling the Times it was inappropriate.",
        "“I couldn’t believe it when I saw it,” the nominee said.",
        "Senators echoed him on Wednesday.",
    ]
    credits = article_credits(sentences, "Fox News", ["Fox News", NYT, "HuffPost"])
    assert credits.source_of(sentences[1], NYT, {"Donald Trump"})  # his quotation: the interview's words
    assert not credits.source_of(sentences[1], NYT, {"Nick Merrill"})  # someone else's statement
    assert not credits.source_of(sentences[2], NYT)  # the article's own reporting
    assert not credits.source_of(
        sentences[1], "HuffPost", {"Donald Trump"}
    )  # credits only the outlet it names


def test_the_paper_is_the_one_outlet_the_article_credits():
    sentences = ["The New York Times reported on Monday that she used a personal account.", "x"]
    credits = article_credits(sentences, "Fox News", ["Fox News", NYT])
    assert credits.source_of("Instead, the paper reports, her advisers chose the emails.", NYT)
    assert not credits.source_of("Her advisers chose the emails.", NYT)


def test_an_article_does_not_credit_its_own_outlet():
    credits = article_credits(["The New York Times reported it first."], NYT, [NYT, "Fox News"])
    assert credits.named == frozenset()


def test_a_quotation_opening_right_after_an_interview_credit_is_that_outlets_reporting():
    from newsprism.claims.provenance import article_credits

    sentences = [
        "The justice kicked off the storm with comments to The New York Times on Saturday.",
        "“I can’t imagine what this place would be.",
        "For the country, it could be four years.",
        "For the court, I don’t even want to contemplate that,” she said.",
        "“It is a disgrace,” the president said on Tuesday.",
    ]
    credits = article_credits(sentences, "Fox News", ["Fox News", "The New York Times"])
    passed = [credits.source_of(s, "The New York Times") for s in sentences[1:]]
    assert passed == [True, True, True, False]  # the quotation, up to its closing mark; not the next one
    # the crediting sentence names no one, so a resolved speaker cannot contradict it
    assert credits.source_of(sentences[2], "The New York Times", {"Ruth Bader Ginsburg"})
