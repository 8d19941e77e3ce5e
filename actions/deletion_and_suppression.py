"""Deletion and suppression: regulations that delete or block data about end users."""

from actions.ids import SOURCE_ID
from connector.spec import REGION, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

REGULATION_TYPE = Input("regulationType",
                        comments="Action to take, e.g. `SUPPRESS_WITH_DELETE` or `DELETE_ONLY`.",
                        required=True, example="SUPPRESS_WITH_DELETE")
SUBJECT_TYPE = Input("subjectType",
                     comments="Kind of id in `subjectIds`, e.g. `USER_ID` or `OBJECT_ID`.",
                     required=True, example="USER_ID")
SUBJECT_IDS = Input("subjectIds", "array", "Ids of the end users or objects to regulate.",
                    required=True, example=["user-1234"], items="string")
STATUS = Input("status", comments="Only regulations in this state, e.g. `FINISHED`.",
               example="FINISHED")
REGULATION_TYPES = Input("regulationTypes", "array", "Only regulations of these types.",
                         example=["SUPPRESS_WITH_DELETE"], where="query", items="string")

ACTIONS = (
    Action(
        "createCloudSourceRegulation", "Create Cloud Source Regulation",
        "Delete or suppress objects of a cloud source collection.",
        "POST", "/regulations/cloudsources/{sourceId}", area="DeletionAndSuppression",
        inputs=(
            REGION, SOURCE_ID, REGULATION_TYPE,
            Input("subjectType", comments="Kind of id in `subjectIds`; `OBJECT_ID` here.",
                  required=True, example="OBJECT_ID"),
            Input("subjectIds", "array", "Ids of the objects to regulate.", required=True,
                  example=["0035e00002Dq7hLAAR"], items="string"),
            Input("collection", comments="Cloud source collection that holds the objects.",
                  required=True, example="contacts"),
        ),
        body_model="CreateCloudSourceRegulationV1Input",
        response_model="CreateCloudSourceRegulation200Response",
        example=EXAMPLES,
    ),
    Action(
        "createSourceRegulation", "Create Source Regulation",
        "Delete or suppress the data of end users in one source.",
        "POST", "/regulations/sources/{sourceId}", area="DeletionAndSuppression",
        inputs=(REGION, SOURCE_ID, REGULATION_TYPE, SUBJECT_TYPE, SUBJECT_IDS),
        body_model="CreateSourceRegulationV1Input",
        response_model="CreateSourceRegulation200Response",
        example=EXAMPLES,
    ),
    Action(
        "createWorkspaceRegulation", "Create Workspace Regulation",
        "Delete or suppress the data of end users across the workspace.",
        "POST", "/regulations", area="DeletionAndSuppression",
        inputs=(REGION, REGULATION_TYPE, SUBJECT_TYPE, SUBJECT_IDS),
        body_model="CreateWorkspaceRegulationV1Input",
        response_model="CreateWorkspaceRegulation200Response",
        example=EXAMPLES,
    ),
    Action(
        "getRegulation", "Get Regulation", "Fetch the status of one regulation.",
        "GET", "/regulations/{regulateId}", area="DeletionAndSuppression",
        inputs=(
            REGION,
            Input("regulateId", comments="Id of the regulation.", required=True,
                  example="2aBgrwPHLbZDAKyC3FBhGz2dEn1"),
        ),
        response_model="GetRegulation200Response", example=EXAMPLES,
    ),
    Action(
        "listRegulationsFromSource", "List Regulations from Source",
        "List the regulations of a source.",
        "GET", "/regulations/sources/{sourceId}",
        area="DeletionAndSuppression", items="regulations",
        inputs=(REGION, SOURCE_ID, STATUS, REGULATION_TYPES, *paging()),
        response_model="ListRegulationsFromSource200Response", example=EXAMPLES,
    ),
    Action(
        "listSuppressions", "List Suppressions", "List the suppressed users of the workspace.",
        "GET", "/suppressions", area="DeletionAndSuppression", items="suppressed",
        inputs=(REGION, *paging()),
        response_model="ListSuppressions200Response", example=EXAMPLES,
    ),
    Action(
        "listWorkspaceRegulations", "List Workspace Regulations",
        "List the regulations of the workspace.",
        "GET", "/regulations", area="DeletionAndSuppression", items="regulations",
        inputs=(REGION, STATUS, REGULATION_TYPES, *paging()),
        response_model="ListWorkspaceRegulations200Response", example=EXAMPLES,
    ),
)
